import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, wasmTrainingKernels } from '@iern/core';
import { expectSame, initBackends, randn } from './helpers.js';

// Gradients through tf.grad on wasm (with iern's kernels) vs cpu, for every op a ResNet/CNN
// backbone and the IERN losses differentiate.
describe('gradients on wasm vs cpu', () => {
  const rng = new Rng(11);
  beforeAll(initBackends);

  it('registers its kernels on wasm', () => {
    for (const { name, func } of wasmTrainingKernels) expect(tf.getKernel(name, 'wasm')?.kernelFunc, name).toBe(func);
  });

  it.each([
    [1, 'same', 3],
    [2, 'same', 3],
    [2, 'valid', 3],
    [1, 'valid', 1],
    [2, 'same', 1],
  ] as const)('conv2d stride %i %s k%i: dx and dW', async (s, pad, k) => {
    const x = randn(rng, [2, 9, 7, 3]);
    const w = randn(rng, [k, k, 3, 4]);
    const err = await expectSame([x, w], (xt, wt) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad))))([xt!, wt!]),
    );
    expect(err).toBeLessThan(1e-4);
  });

  it.each([
    [1, 'same', 1],
    [2, 'same', 1],
    [1, 'valid', 2],
    [2, 'valid', 3],
  ] as const)('depthwiseConv2d stride %i %s multiplier %i: dx and dW', async (s, pad, m) => {
    const x = randn(rng, [2, 8, 9, 3]);
    const w = randn(rng, [3, 3, 3, m]);
    const err = await expectSame([x, w], (xt, wt) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad))))([xt!, wt!]),
    );
    expect(err).toBeLessThan(1e-4);
  });

  it('maxPool, avgPool, relu, global average pool', async () => {
    const x = randn(rng, [2, 9, 9, 4]);
    const err = await expectSame([x], (xt) =>
      tf.grad((a: tf.Tensor) => {
        const r = tf.relu(a as tf.Tensor4D);
        const m = tf.maxPool(r, 3, 2, 'same');
        const v = tf.avgPool(a as tf.Tensor4D, 2, 2, 'valid');
        return tf.add(tf.sum(tf.square(m)), tf.add(tf.sum(tf.mul(v, v)), tf.sum(tf.mean(r, [1, 2]))));
      })(xt!),
    );
    expect(err).toBeLessThan(1e-4);
  });

  it('batchNorm (training statistics) with scale and offset', async () => {
    const x = randn(rng, [4, 5, 5, 3]);
    const g = randn(rng, [3]);
    const b = randn(rng, [3]);
    const err = await expectSame([x, g, b], (xt, gt, bt) =>
      tf.grads((a: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        const y = tf.batchNorm(a, mean, variance, beta as tf.Tensor1D, gamma as tf.Tensor1D, 1e-5);
        return tf.sum(tf.square(tf.relu(y)));
      })([xt!, gt!, bt!]),
    );
    expect(err).toBeLessThan(1e-4);
  });

  it('IERN loss ops: logSoftmax cross-entropy, gather, distances, softmax attention, normalise', async () => {
    const f = randn(rng, [6, 8]);
    const centres = randn(rng, [3, 8]);
    const w = randn(rng, [8, 4]);
    const err = await expectSame([f, centres, w], (ft, ct, wt) =>
      tf.grads((feat: tf.Tensor, c: tf.Tensor, wl: tf.Tensor) => {
        const labels = tf.tensor1d([0, 2, 1, 1, 0, 2], 'int32');
        const logits = tf.matMul(feat as tf.Tensor2D, wl as tf.Tensor2D);
        const ce = tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(tf.tensor1d([0, 3, 1, 2, 3, 0], 'int32'), 4), tf.logSoftmax(logits)), 1)));
        // Centre loss through gather (its gradient is UnsortedSegmentSum).
        const mine = tf.gather(c, labels);
        const centre = tf.mean(tf.sum(tf.squaredDifference(feat, mine), 1));
        // Stratum attention: softmax over distances to the centres, weighted sum of centres.
        const d = tf.sub(tf.sum(tf.square(feat), 1, true), tf.mul(2, tf.matMul(feat as tf.Tensor2D, c as tf.Tensor2D, false, true)));
        const att = tf.softmax(tf.neg(d));
        const mix = tf.matMul(att, c as tf.Tensor2D);
        const norm = tf.div(mix, tf.add(tf.norm(mix, 'euclidean', 1, true), 1e-6));
        return tf.addN([ce, centre, tf.mean(tf.abs(norm)), tf.mean(tf.sigmoid(tf.neg(logits)))]);
      })([ft!, ct!, wt!]),
    );
    expect(err).toBeLessThan(1e-4);
  });

  it('UnsortedSegmentSum kernel (ids out of order, repeated, empty segments)', async () => {
    const x = randn(rng, [7, 4, 5]);
    const err = await expectSame([x], (xt) => tf.unsortedSegmentSum(xt!, tf.tensor1d([0, 2, 2, 5, 1, 0, 5], 'int32'), 6));
    expect(err).toBeLessThan(1e-4);
  });
});
