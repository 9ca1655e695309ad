import * as tf from '@tensorflow/tfjs-core';
import { Module, Linear, globalAvgPool, type Rng } from '@iern/core';

/**
 * Per-sample stratum weights: softmax_k(q(GAP e) . key(z_k) / sqrt(d) + log P(z_k)), i.e.
 * attention over the dictionary times the prior, normalised (CCIM-style intervention).
 */
export class DictionaryAttention extends Module {
  readonly query: Linear;
  readonly key: Linear;
  constructor(channels: number, readonly dim: number, rng: Rng) {
    super();
    this.query = this.addChild('query', new Linear(channels, dim, rng));
    this.key = this.addChild('key', new Linear(channels, dim, rng));
  }

  /** e [N, s, s, C], dictionary [K, C], prior [K] -> weights [N, K] (rows sum to 1). */
  weights(e: tf.Tensor4D, dictionary: tf.Tensor2D, prior: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() => {
      const q = this.query.apply(globalAvgPool(e));
      const k = this.key.apply(dictionary);
      const scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(this.dim));
      return tf.softmax(tf.add(scores, tf.log(tf.maximum(prior, 1e-12)))) as tf.Tensor2D;
    });
  }
}
