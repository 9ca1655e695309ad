import * as tf from '@tensorflow/tfjs-core';
import { Layer, type Init } from './module.js';
import { BatchNorm2d, Conv2d } from './layers.js';
import type { Rng } from '../util/rng.js';

export interface ResidualBlockOptions {
  /** Init of the two conv kernels (default: Kaiming). */
  init?: Init;
  /** Init of the BatchNorm scales (default: ones). */
  bnInit?: Init;
  /** Bias on the convs (default false: BN follows each conv). */
  bias?: boolean;
}

/**
 * `x + BN(conv3x3(ReLU(BN(conv3x3(x)))))`, channels and size kept: the residual block of the
 * IERN encoders and decoder (StarGAN style, no activation after the sum).
 */
export class ResidualBlock extends Layer<tf.Tensor4D, tf.Tensor4D> {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;

  constructor(readonly channels: number, rng: Rng, opts: ResidualBlockOptions = {}) {
    super();
    const conv = { kernel: 3, stride: 1, padding: 1, bias: opts.bias ?? false, init: opts.init };
    const bnInit = opts.bnInit ? { weight: opts.bnInit } : undefined;
    this.conv1 = this.addChild('conv1', new Conv2d(channels, channels, conv, rng));
    this.bn1 = this.addChild('bn1', new BatchNorm2d(channels, 0.1, 1e-5, bnInit, rng));
    this.conv2 = this.addChild('conv2', new Conv2d(channels, channels, conv, rng));
    this.bn2 = this.addChild('bn2', new BatchNorm2d(channels, 0.1, 1e-5, bnInit, rng));
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const h = tf.relu(this.bn1.apply(this.conv1.apply(x), training));
      return tf.add(x, this.bn2.apply(this.conv2.apply(h), training));
    });
  }
}
