import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@iern/core';

/**
 * The backdoor adjustment as an NWGM: sum_k w_k * logits_k. Its softmax is the normalised
 * weighted geometric mean of the per-stratum softmaxes with weights w (which must sum to 1).
 * `weights` is [K] (a prior P(z)) or [N, K] (per-sample attention); `perStratum` is [N, K, E].
 */
export function combineStrata(perStratum: tf.Tensor3D, weights: tf.Tensor1D | tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const w = weights.rank === 1 ? tf.reshape(weights, [1, -1, 1]) : tf.expandDims(weights, 2);
    return tf.sum(tf.mul(perStratum, w), 1) as tf.Tensor2D;
  });
}

/** Prior P(z) over K strata: uniform, or proportional to training-set counts. */
export function stratumPrior(kind: 'uniform' | 'empirical', strata: number, counts: readonly number[]): number[] {
  if (kind === 'uniform') return new Array<number>(strata).fill(1 / strata);
  if (counts.length !== strata) {
    throw new ConfigError('model.strategy.prior', `empirical prior needs ${strata} stratum counts, the training set has ${counts.length}`);
  }
  const total = counts.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new ConfigError('model.strategy.prior', 'empirical prior: every stratum count in the training set is 0');
  return counts.map((c) => c / total);
}
