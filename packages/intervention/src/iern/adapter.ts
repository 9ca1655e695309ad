import type * as tf from '@tensorflow/tfjs-core';
import { Conv2d, Layer, type Rng } from '@iern/core';
import { IERN_INIT } from './init.js';

/** The 1x1 conv that maps the backbone's last feature map to C channels (part of f_b in the paper). */
export class BackboneAdapter extends Layer<tf.Tensor4D, tf.Tensor4D> {
  readonly conv: Conv2d;
  constructor(inChannels: number, channels: number, rng: Rng) {
    super();
    this.conv = this.addChild('conv', new Conv2d(inChannels, channels, { kernel: 1, padding: 0, init: IERN_INIT }, rng));
  }
  apply(x: tf.Tensor4D): tf.Tensor4D {
    return this.conv.apply(x);
  }
}
