import * as tf from '@tensorflow/tfjs-core';
import { activateBackend } from '@iern/core';
await activateBackend('wasm');
function time(name, f, reps = 3) {
  f().dispose();
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) f().dispose();
  const c = process.cpuUsage(c0);
  console.log(name.padEnd(12), ((c.user + c.system) / 1000 / reps).toFixed(1), 'ms cpu');
}
const shapes = [
  { n: 16, h: 28, c: 64, co: 64, k: 3, s: 1 },
  { n: 16, h: 28, c: 64, co: 128, k: 3, s: 2 },
  { n: 16, h: 14, c: 128, co: 128, k: 3, s: 1 },
  { n: 16, h: 7, c: 256, co: 256, k: 3, s: 1 },
  { n: 16, h: 4, c: 512, co: 512, k: 3, s: 1 },
  { n: 16, h: 112, c: 3, co: 64, k: 7, s: 2 },
];
for (const sh of shapes) {
  const x = tf.randomNormal([sh.n, sh.h, sh.h, sh.c]);
  const w = tf.randomNormal([sh.k, sh.k, sh.c, sh.co]);
  const y = tf.conv2d(x, w, sh.s, 'same');
  console.log(JSON.stringify(sh));
  time(' fwd', () => tf.conv2d(x, w, sh.s, 'same'));
  time(' bpFilter', () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: y }, { strides: sh.s, pad: 'same', dataFormat: 'NHWC', filterShape: w.shape }));
  time(' bpInput', () => tf.engine().runKernel('Conv2DBackpropInput', { dy: y, filter: w }, { strides: sh.s, pad: 'same', dataFormat: 'NHWC', inputShape: x.shape }));
  tf.dispose([x, w, y]);
}
const big = tf.randomNormal([16, 28, 28, 64]);
const small = tf.randomNormal([1, 1, 1, 64]);
time('tile', () => tf.tile(small, [16, 28, 28, 1]));
time('add-bcast', () => tf.add(small, tf.zeros([16, 28, 28, 64])));
time('mul', () => tf.mul(big, small));
time('sum012', () => tf.sum(big, [0, 1, 2]));
time('mean012', () => tf.mean(big, [0, 1, 2]));
time('transpose', () => tf.transpose(big, [3, 1, 2, 0]));
