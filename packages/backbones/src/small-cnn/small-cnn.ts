import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, Rng, type Normalization } from '@iern/core';
import { BackboneModule } from '../common/backbone-module.js';

export interface SmallCnnOptions {
  /** Output channels of each stage; each stage halves the resolution. */
  channels: number[];
  /** Convolutions per stage (conv3x3-BN-ReLU). */
  convsPerStage: number;
  inputChannels: number;
  freeze: boolean;
  seed: number;
  normalization: Normalization;
}

/** A few conv-BN-ReLU stages, each ending with stride 2: a fast backbone for CPU runs. */
export class SmallCnn extends BackboneModule {
  readonly type = 'small-cnn';
  readonly outputChannels: number;
  readonly reductionFactor: number;
  private readonly stages: { conv: Conv2d; bn: BatchNorm2d }[][] = [];

  constructor(private readonly opts: SmallCnnOptions) {
    super({ inputChannels: opts.inputChannels, normalization: opts.normalization, freeze: opts.freeze });
    const rng = new Rng(opts.seed);
    let inC = opts.inputChannels;
    opts.channels.forEach((outC, s) => {
      const stage: { conv: Conv2d; bn: BatchNorm2d }[] = [];
      for (let i = 0; i < opts.convsPerStage; i++) {
        const last = i === opts.convsPerStage - 1;
        const conv = this.addChild(`stage${s}.conv${i}`, new Conv2d(inC, outC, { kernel: 3, stride: last ? 2 : 1, padding: 1, bias: false }, rng));
        const bn = this.addChild(`stage${s}.bn${i}`, new BatchNorm2d(outC));
        stage.push({ conv, bn });
        inC = outC;
      }
      this.stages.push(stage);
    });
    this.outputChannels = inC;
    this.reductionFactor = 2 ** opts.channels.length;
    this.freezeIfAsked();
  }

  protected forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    let y = x;
    for (const stage of this.stages) for (const { conv, bn } of stage) y = tf.relu(bn.apply(conv.apply(y), training));
    return y;
  }

  protected archKey(): string {
    return `small-cnn:${this.opts.channels.join('-')}x${this.opts.convsPerStage}:in${this.opts.inputChannels}`;
  }
}
