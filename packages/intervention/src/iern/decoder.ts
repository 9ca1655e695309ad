import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, Module, ResidualBlock, type Rng } from '@iern/core';
import { IERN_BN_INIT, IERN_INIT } from './init.js';

/** g_r: concat [a; b] on channels, conv3x3 2C->C, then `blocks` residual blocks. */
export class FusionDecoder extends Module {
  readonly conv: Conv2d;
  readonly blocks: ResidualBlock[] = [];
  constructor(channels: number, blocks: number, rng: Rng) {
    super();
    this.conv = this.addChild('conv', new Conv2d(2 * channels, channels, { kernel: 3, padding: 1, init: IERN_INIT }, rng));
    for (let i = 0; i < blocks; i++) {
      this.blocks.push(this.addChild(`blocks.${i}`, new ResidualBlock(channels, rng, { init: IERN_INIT, bnInit: IERN_BN_INIT })));
    }
  }
  apply(a: tf.Tensor4D, b: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => this.applyBlocks(this.conv.apply(tf.concat4d([a, b], 3)), training));
  }

  /**
   * The first conv of g_r(a, z_k) for every row z_k of `rows` ([K, h, w, C], each shared by
   * the whole batch): conv([a; z_k]) = conv_a(a) + conv_z(z_k), so conv_a runs once instead of
   * K times and conv_z on K maps instead of K*N. Returns K tensors [N, h, w, C].
   */
  stemPerRow(a: tf.Tensor4D, rows: tf.Tensor4D): tf.Tensor4D[] {
    return tf.tidy(() => {
      const [k, h, w, c] = rows.shape;
      const fromA = this.conv.applyPart(a, 0, false);
      const fromRows = this.conv.applyPart(rows, c, true);
      return Array.from({ length: k }, (_, i) => tf.add(fromA, tf.slice(fromRows, [i, 0, 0, 0], [1, h, w, fromRows.shape[3]])) as tf.Tensor4D);
    });
  }

  /** The residual blocks after the first conv. */
  applyBlocks(y: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      let out = y;
      for (const blk of this.blocks) out = blk.apply(out, training);
      return out;
    });
  }
}
