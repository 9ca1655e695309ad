import * as tf from '@tensorflow/tfjs-core';
import { activateBackend } from '@iern/core';
await activateBackend('wasm');
function time(name, f, reps = 3) {
  f().dispose();
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) f().dispose();
  const c = process.cpuUsage(c0);
  console.log(name.padEnd(16), ((c.user + c.system) / 1000 / reps).toFixed(1), 'ms cpu');
}
const w = tf.randomNormal([3, 3, 512, 512]);
const w2 = tf.reshape(w, [9, 512 * 512]);
time('reverse2d', () => tf.reverse(w2, [0]));
time('gather', () => tf.gather(w2, tf.tensor1d([8,7,6,5,4,3,2,1,0], 'int32')));
const a = tf.randomNormal([256, 4608]);
time('matmul-fresh', () => tf.matMul(a, tf.add(tf.reshape(w, [4608, 512]), 0)));
time('matmul-cached', () => tf.matMul(a, tf.reshape(w, [4608, 512])));
time('add0', () => tf.add(w, 0));
const big = tf.randomNormal([16, 28, 28, 64]);
time('sum012', () => tf.sum(big, [0, 1, 2]));
time('sum-mm', () => tf.matMul(tf.ones([1, 16 * 28 * 28]), tf.reshape(big, [16 * 28 * 28, 64])));
time('sum-mm-T', () => tf.matMul(tf.reshape(big, [16 * 28 * 28, 64]), tf.ones([16 * 28 * 28, 1]), true, false));
time('sum-reshape-axis0', () => tf.sum(tf.reshape(big, [16 * 28 * 28, 64]), 0));
