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
    return tf.tidy(() => {
      let y = this.conv.apply(tf.concat4d([a, b], 3));
      for (const blk of this.blocks) y = blk.apply(y, training);
      return y;
    });
  }
}
