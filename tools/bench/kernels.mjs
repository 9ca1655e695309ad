#!/usr/bin/env node
// Micro-benchmark of the convolution kernels at fer-small's ResNet-18 layer shapes (112x112,
// batch 16, explicit padding applied before a 'valid' conv, as iern's Conv2d does):
//   node tools/bench/kernels.mjs [reps] [batch] [--explicit-pad]
// --explicit-pad: the conv pads itself (tf.conv2d's numeric padding) instead of a pre-padded
// input; the gradients then cover only the real pixels.
// Prints CPU ms per call (median of `reps`) of the forward Conv2D, Conv2DBackpropInput and
// Conv2DBackpropFilter, each with a fresh filter tensor per call as in training.
import * as tf from '@tensorflow/tfjs-core';
import * as os from 'node:os';
import { activateBackend } from '@iern/core';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const explicitPad = process.argv.includes('--explicit-pad');
const reps = Number(args[0] ?? 5);
const n = Number(args[1] ?? 16);
await activateBackend('wasm');

// [name, in size (padded), kernel, stride, cin, cout, count per step]
const LAYERS = [
  ['conv1 7x7/2', 118, 7, 2, 3, 64, 1],
  ['l1 3x3', 30, 3, 1, 64, 64, 4],
  ['l2 3x3/2', 30, 3, 2, 64, 128, 1],
  ['l2 1x1/2', 28, 1, 2, 64, 128, 1],
  ['l2 3x3', 16, 3, 1, 128, 128, 3],
  ['l3 3x3/2', 16, 3, 2, 128, 256, 1],
  ['l3 1x1/2', 14, 1, 2, 128, 256, 1],
  ['l3 3x3', 9, 3, 1, 256, 256, 3],
  ['l4 3x3/2', 9, 3, 2, 256, 512, 1],
  ['l4 1x1/2', 7, 1, 2, 256, 512, 1],
  ['l4 3x3', 6, 3, 1, 512, 512, 3],
];

function cpuMs(f) {
  const c0 = process.cpuUsage();
  const out = f();
  out.dataSync();
  const c = process.cpuUsage(c0);
  out.dispose();
  return (c.user + c.system) / 1000;
}
const median = (a) => a.sort((x, y) => x - y)[a.length >> 1];

console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; batch ${n}, ${reps} reps, ${explicitPad ? 'explicit padding' : 'pre-padded input'}, CPU ms per call`);
console.log(`${'layer'.padEnd(12)} ${'fwd'.padStart(7)} ${'dx'.padStart(7)} ${'dW'.padStart(7)}   x count`);
const tot = { fwd: 0, dx: 0, dw: 0 };
for (const [name, size, k, s, ci, co, count] of LAYERS) {
  const p = explicitPad ? (k - 1) / 2 : 0;
  const x = tf.randomNormal([n, size - 2 * p, size - 2 * p, ci]);
  const pad = explicitPad ? p : 'valid';
  const oh = Math.floor((size - k) / s) + 1;
  const dy = tf.randomNormal([n, oh, oh, co]);
  const t = { fwd: [], dx: [], dw: [] };
  for (let r = 0; r < reps + 1; r++) {
    const w = tf.randomNormal([k, k, ci, co]);
    const f = cpuMs(() => tf.conv2d(x, w, s, pad));
    const dx = k === 7 ? 0 : cpuMs(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: [s, s], pad, dataFormat: 'NHWC', inputShape: x.shape }));
    const dw = cpuMs(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [s, s], pad, dataFormat: 'NHWC', filterShape: w.shape }));
    w.dispose();
    if (r === 0) continue;
    t.fwd.push(f); t.dx.push(dx); t.dw.push(dw);
  }
  const m = { fwd: median(t.fwd), dx: median(t.dx), dw: median(t.dw) };
  for (const key of Object.keys(tot)) tot[key] += m[key] * count;
  console.log(`${name.padEnd(12)} ${m.fwd.toFixed(1).padStart(7)} ${m.dx.toFixed(1).padStart(7)} ${m.dw.toFixed(1).padStart(7)}   x${count}`);
  tf.dispose([x, dy]);
}
console.log(`${'step total'.padEnd(12)} ${tot.fwd.toFixed(0).padStart(7)} ${tot.dx.toFixed(0).padStart(7)} ${tot.dw.toFixed(0).padStart(7)}`);
