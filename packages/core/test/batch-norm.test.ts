import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Rng, activateBackend, batchNormTrain } from '@iern/core';
import { relError } from './backend/helpers.js';

const randn = (rng: Rng, shape: number[], scale = 1, shift = 0) =>
  tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => shift + scale * rng.normal()), shape);

/** The autodiff formulation batchNormTrain replaces. */
function reference(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm4d(x, mean as tf.Tensor1D, variance as tf.Tensor1D, beta, gamma, eps);
}

/** Relative error of tensors, as the kernel tests measure it. */
const maxRel = (a: tf.Tensor, b: tf.Tensor) => relError(a.dataSync() as Float32Array, b.dataSync() as Float32Array);

describe.each(['wasm', 'cpu'])('batchNormTrain on %s', (backend) => {
  beforeAll(async () => {
    await activateBackend(backend);
  });

  it('matches autodiff of tf.moments + tf.batchNorm4d in value and in the gradients of x, gamma and beta', () => {
    const rng = new Rng(4);
    // An off-centre input (mean 3) so the mean and variance paths of the gradient matter.
    const x = randn(rng, [3, 5, 4, 6], 2, 3) as tf.Tensor4D;
    const gamma = randn(rng, [6], 0.5, 1) as tf.Tensor1D;
    const beta = randn(rng, [6]) as tf.Tensor1D;
    const r = randn(rng, [3, 5, 4, 6]);
    const loss = (f: typeof reference) => (xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.square(f(xs as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5)), r));
    const before = tf.memory().numTensors;
    const mine = tf.grads(loss(batchNormTrain))([x, gamma, beta]);
    const ref = tf.grads(loss(reference))([x, gamma, beta]);
    const y = batchNormTrain(x, gamma, beta, 1e-5);
    const yRef = tf.tidy(() => reference(x, gamma, beta, 1e-5));
    expect(maxRel(y, yRef)).toBeLessThan(1e-6);
    ['x', 'gamma', 'beta'].forEach((name, i) => {
      expect(maxRel(mine[i]!, ref[i]!), name).toBeLessThan(1e-4);
      expect(Math.max(...Array.from(ref[i]!.dataSync(), Math.abs)), name).toBeGreaterThan(1e-2);
    });
    tf.dispose([...mine, ...ref, y, yRef]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, gamma, beta, r]);
  });

  it('BatchNorm2d in training mode still updates the running statistics (PyTorch rule)', () => {
    const rng = new Rng(5);
    const x = randn(rng, [4, 3, 3, 2], 2, 1) as tf.Tensor4D;
    const bn = new BatchNorm2d(2);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(bn.apply(x, true))), bn.trainableVariables());
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const n = 4 * 3 * 3;
    const expectMean = tf.mul(mean, 0.1);
    const expectVar = tf.add(0.9, tf.mul(variance, (0.1 * n) / (n - 1)));
    expect(maxRel(bn.runningMean, expectMean)).toBeLessThan(1e-6);
    expect(maxRel(bn.runningVar, expectVar)).toBeLessThan(1e-6);
    tf.dispose([value, ...Object.values(grads), mean, variance, expectMean, expectVar, x]);
    bn.dispose();
  });
});
