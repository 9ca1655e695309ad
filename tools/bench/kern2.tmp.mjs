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
const w = tf.randomNormal([3, 3, 512, 512]);
time('reverse01', () => tf.reverse(w, [0, 1]));
time('transpose', () => tf.transpose(w, [0, 1, 3, 2]));
const x = tf.randomNormal([16, 6, 6, 512]);
time('conv-same-nocache', () => tf.conv2d(x, tf.add(w, 0), 1, 'valid'));
time('conv-same-cache', () => tf.conv2d(x, w, 1, 'valid'));
