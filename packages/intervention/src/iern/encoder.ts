import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, Layer, ResidualBlock, type Rng } from '@iern/core';
import { IERN_BN_INIT, IERN_INIT } from './init.js';

/** g_e / g_c: conv3x3 C->C then `blocks` residual blocks; same shape in and out. */
export class FeatureEncoder extends Layer<tf.Tensor4D, tf.Tensor4D> {
  readonly conv: Conv2d;
  readonly blocks: ResidualBlock[] = [];
  constructor(channels: number, blocks: number, rng: Rng) {
    super();
    this.conv = this.addChild('conv', new Conv2d(channels, channels, { kernel: 3, padding: 1, init: IERN_INIT }, rng));
    for (let i = 0; i < blocks; i++) {
      this.blocks.push(this.addChild(`blocks.${i}`, new ResidualBlock(channels, rng, { init: IERN_INIT, bnInit: IERN_BN_INIT })));
    }
  }
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      let y = this.conv.apply(x);
      for (const b of this.blocks) y = b.apply(y, training);
      return y;
    });
  }
}
