import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, ConfigError, Layer, initTensor, type Rng } from '@iern/core';
import { IERN_INIT } from './init.js';

/**
 * d_e / d_c: conv4x4 stride 2 pad 1 (C->C) + LeakyReLU(0.01); three 1x1 convs halving the
 * channels, each + LeakyReLU(0.01); a final bias-free conv whose kernel covers the whole
 * remaining map (floor(s/2) for an s x s input), so the output is one logit vector per image
 * for 3x3, 4x4, 7x7... feature maps alike.
 */
export class Critic extends Layer<tf.Tensor4D, tf.Tensor2D> {
  readonly down: Conv2d;
  readonly mids: Conv2d[] = [];
  readonly head: tf.Variable;
  readonly kernel: [number, number];

  constructor(channels: number, outputs: number, featureSize: [number, number], rng: Rng) {
    super();
    const [h, w] = featureSize;
    if (h < 2 || w < 2) {
      throw new ConfigError('data.imageSize', `the IERN critics need a backbone feature map of at least 2x2, got ${h}x${w}`);
    }
    this.kernel = [Math.floor(h / 2), Math.floor(w / 2)];
    this.down = this.addChild('down', new Conv2d(channels, channels, { kernel: 4, stride: 2, padding: 1, init: IERN_INIT }, rng));
    let c = channels;
    for (let i = 0; i < 3; i++) {
      const next = Math.max(1, Math.floor(c / 2));
      this.mids.push(this.addChild(`mid.${i}`, new Conv2d(c, next, { kernel: 1, padding: 0, init: IERN_INIT }, rng)));
      c = next;
    }
    this.head = this.addParam('head.weight', initTensor([this.kernel[0], this.kernel[1], c, outputs], IERN_INIT, rng));
  }

  apply(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      let y = tf.leakyRelu(this.down.apply(x), 0.01);
      for (const m of this.mids) y = tf.leakyRelu(m.apply(y), 0.01);
      const out = tf.conv2d(y, this.head as tf.Tensor4D, 1, 'valid');
      if (out.shape[1] !== 1 || out.shape[2] !== 1) {
        throw new Error(
          `critic built for a ${this.kernel[0] * 2}x${this.kernel[1] * 2} feature map got ${x.shape[1]}x${x.shape[2]} (ModelContext.featureShape is wrong)`,
        );
      }
      return tf.reshape(out, [out.shape[0], out.shape[3]]) as tf.Tensor2D;
    });
  }
}
