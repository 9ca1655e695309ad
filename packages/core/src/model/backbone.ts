import type * as tf from '@tensorflow/tfjs-core';

/** Normalisation the backbone's weights expect, per RGB channel, applied to [0,1] pixels. */
export interface Normalization {
  mean: [number, number, number];
  std: [number, number, number];
}

/** A feature extractor: NHWC images in, the last feature map (before pooling) out. */
export interface Backbone {
  readonly type: string;
  /** Channels of the output feature map. */
  readonly outputChannels: number;
  /** Input size / feature-map size (32 for ResNet, 8 for a 3-stage small CNN). */
  readonly reductionFactor: number;
  /** Channels the input must have (3 for ImageNet weights). */
  readonly inputChannels: number;
  readonly normalization: Normalization;
  /** True when the weights are not trained (features may be cached). */
  readonly frozen: boolean;
  /** Runs the network. `training` selects batch statistics (and updates running ones) in BatchNorm. */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
  /** Variables an optimiser may update (empty when frozen). */
  trainableVariables(): tf.Variable[];
  /** Every weight and buffer by stable name (torchvision names for ResNet). */
  namedVariables(): Map<string, tf.Variable>;
  /** Key identifying the weights, for the feature cache (changes when weights change). */
  weightsKey(): string;
  dispose(): void;
}
