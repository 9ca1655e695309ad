import * as tf from '@tensorflow/tfjs-core';
import { Layer, initTensor, type Init } from './module.js';
import { batchNormTrain } from './batch-norm.js';
import type { Rng } from '../util/rng.js';

export interface Conv2dOptions {
  kernel: number;
  stride?: number;
  /** 'same', 'valid' or explicit symmetric padding in pixels (PyTorch style). */
  padding?: 'same' | 'valid' | number;
  dilation?: number;
  bias?: boolean;
  init?: Init;
}

/** 2-D convolution, NHWC input, HWIO kernel (`weight`), optional `bias`. */
export class Conv2d extends Layer<tf.Tensor4D, tf.Tensor4D> {
  readonly weight: tf.Variable;
  readonly bias?: tf.Variable;
  readonly stride: number;
  readonly padding: 'same' | 'valid' | number;
  readonly dilation: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    opts: Conv2dOptions,
    rng: Rng,
  ) {
    super();
    const k = opts.kernel;
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 'same';
    this.dilation = opts.dilation ?? 1;
    const init = opts.init ?? { kind: 'kaiming', fanIn: k * k * inChannels };
    this.weight = this.addParam('weight', initTensor([k, k, inChannels, outChannels], init, rng));
    if (opts.bias ?? true) this.bias = this.addParam('bias', tf.zeros([outChannels]));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.convolve(x, this.weight as tf.Tensor4D, true));
  }

  /**
   * The output's share from input channels [start, start + x's channels) only, with the bias
   * when `withBias`: a conv over a channel concat is the sum of its parts' shares, so a part
   * shared by several concats (IERN's decoder) is convolved once.
   */
  applyPart(x: tf.Tensor4D, start: number, withBias: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const [kh, kw, , out] = this.weight.shape as [number, number, number, number];
      const w = tf.slice(this.weight as tf.Tensor4D, [0, 0, start, 0], [kh, kw, x.shape[3], out]);
      return this.convolve(x, w, withBias);
    });
  }

  private convolve(x: tf.Tensor4D, weight: tf.Tensor4D, withBias: boolean): tf.Tensor4D {
    let input = x;
    let pad: 'same' | 'valid' | tf.backend_util.ExplicitPadding = 'valid';
    if (typeof this.padding !== 'number') pad = this.padding;
    else if (this.padding > 0) {
      const p = this.padding;
      // Padding inside the conv saves a pad and, in the backward pass, a slice of the
      // (larger) input gradient. tfjs-node's conv gradients take only 'valid'/'same'.
      if (tf.getBackend() === 'tensorflow') input = tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]);
      else pad = [[0, 0], [p, p], [p, p], [0, 0]];
    }
    const y = tf.conv2d(input, weight, this.stride, pad, 'NHWC', this.dilation);
    return withBias && this.bias ? tf.add(y, this.bias) : y;
  }
}

/** Fully connected layer, weight [in, out]. */
export class Linear extends Layer<tf.Tensor2D, tf.Tensor2D> {
  readonly weight: tf.Variable;
  readonly bias?: tf.Variable;
  constructor(inFeatures: number, outFeatures: number, rng: Rng, opts: { bias?: boolean; init?: Init } = {}) {
    super();
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = this.addParam('weight', initTensor([inFeatures, outFeatures], opts.init ?? { kind: 'uniform', bound }, rng));
    if (opts.bias ?? true) this.bias = this.addParam('bias', tf.zeros([outFeatures]));
  }
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const y = tf.matMul(x, this.weight as tf.Tensor2D);
      return (this.bias ? tf.add(y, this.bias) : y) as tf.Tensor2D;
    });
  }
}

/**
 * BatchNorm over the channel axis of NHWC tensors. Training uses batch statistics and updates
 * the running ones with PyTorch's rule (momentum 0.1, unbiased running variance); eval uses
 * the running statistics.
 */
export class BatchNorm2d extends Layer<tf.Tensor4D, tf.Tensor4D> {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  constructor(
    readonly channels: number,
    readonly momentum = 0.1,
    readonly eps = 1e-5,
    init?: { weight?: Init },
    rng?: Rng,
  ) {
    super();
    this.weight = this.addParam(
      'weight',
      init?.weight && rng ? initTensor([channels], init.weight, rng) : tf.ones([channels]),
    );
    this.bias = this.addParam('bias', tf.zeros([channels]));
    this.runningMean = this.addBuffer('running_mean', tf.zeros([channels]));
    this.runningVar = this.addBuffer('running_var', tf.ones([channels]));
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    if (!training) {
      return tf.tidy(() =>
        tf.batchNorm4d(x, this.runningMean as tf.Tensor1D, this.runningVar as tf.Tensor1D, this.bias as tf.Tensor1D, this.weight as tf.Tensor1D, this.eps),
      );
    }
    return tf.tidy(() => {
      const n = x.shape[0] * x.shape[1] * x.shape[2];
      const m = this.momentum;
      return batchNormTrain(x, this.weight as tf.Tensor1D, this.bias as tf.Tensor1D, this.eps, (mean, variance) => {
        // running stats are updated outside the gradient path
        const unbiased = tf.mul(variance, n / Math.max(1, n - 1));
        this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
        this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(unbiased, m)));
      });
    });
  }
}

/** Elementwise activation as a layer. */
export class Activation extends Layer<tf.Tensor, tf.Tensor> {
  constructor(private readonly fn: 'relu' | 'leakyRelu' | 'identity', private readonly alpha = 0.01) {
    super();
  }
  apply(x: tf.Tensor): tf.Tensor {
    if (this.fn === 'relu') return tf.relu(x);
    if (this.fn === 'leakyRelu') return tf.leakyRelu(x, this.alpha);
    return tf.clone(x);
  }
}

/** Global average pool NHWC -> [N, C]. */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor2D {
  return tf.mean(x, [1, 2]) as tf.Tensor2D;
}
