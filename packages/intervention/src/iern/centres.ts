import * as tf from '@tensorflow/tfjs-core';
import { Module, initTensor, stopGradient, type Rng } from '@iern/core';

/**
 * The K learnable confounder centres of the flattened context feature ([K, s*s*C], NHWC order)
 * and the center loss. Init N(0, 1), like the standard center-loss implementation the
 * published code uses; a detached reshaped copy is the dictionary z_1..z_K.
 */
export class ConfounderCentres extends Module {
  readonly centres: tf.Variable;
  constructor(
    readonly strata: number,
    readonly shape: [number, number, number],
    rng: Rng,
  ) {
    super();
    const dims = shape[0] * shape[1] * shape[2];
    this.centres = this.addParam('centres', initTensor([strata, dims], { kind: 'normal', std: 1 }, rng));
  }

  /** Sum over the batch of ||flatten(c_i) - centre[z_i]||^2, divided by the batch size. */
  loss(c: tf.Tensor4D, strata: tf.Tensor1D): tf.Scalar {
    return tf.tidy(() => {
      const n = c.shape[0];
      const flat = tf.reshape(c, [n, -1]);
      const mine = tf.gather(this.centres, tf.cast(strata, 'int32'));
      return tf.div(tf.sum(tf.square(tf.sub(flat, mine))), n) as tf.Scalar;
    });
  }

  /** The dictionary [K, s, s, C]: a copy of the centres, outside any gradient path. */
  dictionary(): tf.Tensor4D {
    return tf.tidy(() => tf.reshape(stopGradient(this.centres as tf.Tensor2D), [this.strata, ...this.shape]) as tf.Tensor4D);
  }
}
