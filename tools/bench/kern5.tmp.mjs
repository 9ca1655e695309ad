import * as tf from '@tensorflow/tfjs-core';
import { activateBackend } from '@iern/core';
await activateBackend('wasm');
function cpu(f, reps = 2) {
  f();
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / reps;
}
// ResNet-18 at 112, batch 16: [count, h(in), cin, cout, k, s]
const layers = [
  [1, 112, 3, 64, 7, 2], [4, 28, 64, 64, 3, 1],
  [1, 28, 64, 128, 3, 2], [1, 28, 64, 128, 1, 2], [3, 14, 128, 128, 3, 1],
  [1, 14, 128, 256, 3, 2], [1, 14, 128, 256, 1, 2], [3, 7, 256, 256, 3, 1],
  [1, 7, 256, 512, 3, 2], [1, 7, 256, 512, 1, 2], [3, 4, 512, 512, 3, 1],
];
let tot = { f: 0, bi: 0, bf: 0 };
for (const [cnt, h, ci, co, k, s] of layers) {
  const x = tf.randomNormal([16, h, h, ci]);
  const w = tf.randomNormal([k, k, ci, co]);
  const y = tf.conv2d(x, w, s, 'same');
  const f = cpu(() => tf.tidy(() => tf.conv2d(x, tf.add(w, 0), s, 'same').dataSync()));
  const bf = cpu(() => tf.tidy(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: tf.add(y, 0) }, { strides: s, pad: 'same', dataFormat: 'NHWC', filterShape: w.shape }).dataSync()));
  const bi = h === 112 ? 0 : cpu(() => tf.tidy(() => tf.engine().runKernel('Conv2DBackpropInput', { dy: y, filter: tf.add(w, 0) }, { strides: s, pad: 'same', dataFormat: 'NHWC', inputShape: x.shape }).dataSync()));
  tot.f += cnt * f; tot.bi += cnt * bi; tot.bf += cnt * bf;
  console.log(`${cnt}x h${h} ${ci}->${co} k${k} s${s}: fwd ${f.toFixed(0)} bpIn ${bi.toFixed(0)} bpFil ${bf.toFixed(0)}`);
  tf.dispose([x, w, y]);
}
console.log('totals ms cpu', JSON.stringify(Object.fromEntries(Object.entries(tot).map(([k, v]) => [k, Math.round(v)]))));
