import * as tf from '@tensorflow/tfjs-core';
import { activateBackend } from '@iern/core';
await activateBackend('wasm');
function time(name, f, reps = 5) {
  f().dispose();
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) f().dispose();
  const c = process.cpuUsage(c0);
  console.log(name.padEnd(16), ((c.user + c.system) / 1000 / reps).toFixed(1), 'ms cpu');
}
const big = tf.randomNormal([16, 28, 28, 64]);
const M = 16 * 28 * 28;
time('fresh-copy', () => tf.add(big, 0));
time('sum-fastpath', () => tf.tidy(() => tf.sum(tf.add(big, 0), [0, 1, 2])));
time('mm-ones-A', () => tf.tidy(() => tf.matMul(tf.ones([1, M]), tf.reshape(tf.add(big, 0), [M, 64]))));
time('mm-x-A-T', () => tf.tidy(() => tf.matMul(tf.reshape(tf.add(big, 0), [M, 64]), tf.ones([M, 1]), true, false)));
time('stock-2d-axis0', () => tf.tidy(() => tf.sum(tf.reshape(tf.add(big, 0), [M / 64, 64 * 64]), 0)));
time('conv1x1-ones', () => tf.tidy(() => tf.transpose(tf.reshape(tf.add(big, 0), [1, M, 64]), [0, 2, 1])));
