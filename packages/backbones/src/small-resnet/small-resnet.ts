import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, Rng, Sequential, type Normalization } from '@iern/core';
import { BasicBlock } from '../resnet/blocks.js';
import { BackboneModule } from '../common/backbone-module.js';

export interface SmallResNetOptions {
  /** Channels of each stage; every stage starts with a stride-2 basic block. */
  channels: number[];
  blocksPerStage: number;
  /** Channels of the 3x3 stem (stride 1). */
  stem: number;
  inputChannels: number;
  freeze: boolean;
  seed: number;
  normalization: Normalization;
}

/** A tiny ResNet (3x3 stem, then torchvision basic blocks) for CPU runs that want skip connections. */
export class SmallResNet extends BackboneModule {
  readonly type = 'small-resnet';
  readonly outputChannels: number;
  readonly reductionFactor: number;
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm2d;
  private readonly layers: Sequential[] = [];

  constructor(private readonly opts: SmallResNetOptions) {
    super({ inputChannels: opts.inputChannels, normalization: opts.normalization, freeze: opts.freeze });
    const rng = new Rng(opts.seed);
    this.conv1 = this.addChild('conv1', new Conv2d(opts.inputChannels, opts.stem, { kernel: 3, padding: 1, bias: false }, rng));
    this.bn1 = this.addChild('bn1', new BatchNorm2d(opts.stem));
    let inC = opts.stem;
    opts.channels.forEach((c, s) => {
      const layer = new Sequential();
      for (let b = 0; b < opts.blocksPerStage; b++) {
        layer.push(new BasicBlock(inC, c, b === 0 ? 2 : 1, rng));
        inC = c;
      }
      this.layers.push(this.addChild(`layer${s + 1}`, layer));
    });
    this.outputChannels = inC;
    this.reductionFactor = 2 ** opts.channels.length;
    this.freezeIfAsked();
  }

  protected forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    let y = tf.relu(this.bn1.apply(this.conv1.apply(x), training));
    for (const layer of this.layers) y = layer.apply(y, training);
    return y;
  }

  protected archKey(): string {
    return `small-resnet:${this.opts.stem}-${this.opts.channels.join('-')}x${this.opts.blocksPerStage}:in${this.opts.inputChannels}`;
  }
}
