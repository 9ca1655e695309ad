import * as tf from '@tensorflow/tfjs-core';
import { Layer, Linear, globalAvgPool, type Rng } from '@iern/core';
import { IERN_INIT } from './init.js';

/** f_c: global average pool + Linear(C -> E). */
export class EmotionClassifier extends Layer<tf.Tensor4D, tf.Tensor2D> {
  readonly fc: Linear;
  constructor(channels: number, classes: number, rng: Rng) {
    super();
    this.fc = this.addChild('fc', new Linear(channels, classes, rng, { init: IERN_INIT }));
  }
  apply(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.fc.apply(globalAvgPool(x)));
  }
}
