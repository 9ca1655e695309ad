import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, Rng, Sequential, type Normalization, type WeightsReport } from '@iern/core';
import { BasicBlock, Bottleneck } from './blocks.js';
import { BackboneModule } from '../common/backbone-module.js';
import { importWeights } from '../weights/torchvision.js';

export type ResNetArch = 'resnet18' | 'resnet34' | 'resnet50';

/** torchvision's depths: block kind and blocks per stage. */
export const RESNET_ARCHS: Record<ResNetArch, { block: typeof BasicBlock | typeof Bottleneck; layers: [number, number, number, number] }> = {
  resnet18: { block: BasicBlock, layers: [2, 2, 2, 2] },
  resnet34: { block: BasicBlock, layers: [3, 4, 6, 3] },
  resnet50: { block: Bottleneck, layers: [3, 4, 6, 3] },
};

export interface ResNetOptions {
  arch: ResNetArch;
  inputChannels: number;
  /** Frozen: no trainable variables, BatchNorm always uses running statistics. */
  freeze: boolean;
  normalization: Normalization;
  /** Seed of the random init (used when no weights are loaded). */
  seed: number;
}

/**
 * torchvision ResNet without avgpool/fc, NHWC. Parameter names match torchvision's
 * state dict (`conv1.weight`, `layer2.0.downsample.1.running_var`, ...).
 * Output: the layer4 feature map, input size / 32.
 */
export class ResNet extends BackboneModule {
  readonly type: ResNetArch;
  readonly outputChannels: number;
  readonly reductionFactor = 32;
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm2d;
  private readonly layers: Sequential[] = [];

  constructor(opts: ResNetOptions) {
    super({ inputChannels: opts.inputChannels, normalization: opts.normalization, freeze: opts.freeze });
    const spec = RESNET_ARCHS[opts.arch];
    const rng = new Rng(opts.seed);
    this.type = opts.arch;
    this.conv1 = this.addChild('conv1', new Conv2d(opts.inputChannels, 64, { kernel: 7, stride: 2, padding: 3, bias: false, init: { kind: 'kaiming', fanIn: 49 * 64 } }, rng));
    this.bn1 = this.addChild('bn1', new BatchNorm2d(64));
    let inC = 64;
    [64, 128, 256, 512].forEach((planes, s) => {
      const layer = new Sequential();
      for (let b = 0; b < spec.layers[s]!; b++) {
        const block = new spec.block(inC, planes, b === 0 && s > 0 ? 2 : 1, rng);
        layer.push(block);
        inC = block.outChannels;
      }
      this.layers.push(this.addChild(`layer${s + 1}`, layer));
    });
    this.outputChannels = inC;
    this.freezeIfAsked();
  }

  protected forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    let y = tf.relu(this.bn1.apply(this.conv1.apply(x), training));
    // max pool 3x3 stride 2 padding 1 (padding never wins a max, as in PyTorch)
    y = tf.maxPool(y, 3, 2, 1);
    for (const layer of this.layers) y = layer.apply(y, training);
    return y;
  }

  /** Loads a torchvision state dict or an iern weights file (`.safetensors`). */
  async loadWeights(file: string): Promise<WeightsReport> {
    return importWeights(this.namedVariables(), file);
  }

  protected archKey(): string {
    return `${this.type}:in${this.inputChannels}`;
  }
}
