import * as tf from '@tensorflow/tfjs-core';
import { Layer, Linear, globalAvgPool, type Rng } from '@iern/core';

/**
 * d_ez (beyond the paper): GAP + Linear(C -> hidden) + LeakyReLU(0.2) + Linear(hidden -> K),
 * PyTorch-default init. It reads the confounder from the pooled emotion feature, which is
 * what a linear probe reads; the narrow N(0, 0.02) conv critic of the paper starts with
 * near-zero outputs at small widths and is easily silenced by the adversary without the
 * feature losing the confounder.
 */
export class PooledCritic extends Layer<tf.Tensor4D, tf.Tensor2D> {
  readonly hidden: Linear;
  readonly out: Linear;
  constructor(channels: number, hidden: number, outputs: number, rng: Rng) {
    super();
    this.hidden = this.addChild('hidden', new Linear(channels, hidden, rng));
    this.out = this.addChild('out', new Linear(hidden, outputs, rng));
  }
  apply(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.out.apply(tf.leakyRelu(this.hidden.apply(globalAvgPool(x)), 0.2) as tf.Tensor2D));
  }
}
