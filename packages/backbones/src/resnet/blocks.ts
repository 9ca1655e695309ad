import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, Layer, Sequential, type Rng } from '@iern/core';

/** Shared by both block kinds: `training` already folds in the backbone's freeze flag. */
export interface ResidualBlock extends Layer<tf.Tensor4D, tf.Tensor4D> {
  readonly outChannels: number;
}

// torchvision initialises convs with kaiming_normal(fan_out, relu)
const kaimingOut = (k: number, outC: number) => ({ kind: 'kaiming' as const, fanIn: k * k * outC });

function conv(inC: number, outC: number, k: number, stride: number, rng: Rng): Conv2d {
  return new Conv2d(inC, outC, { kernel: k, stride, padding: (k - 1) / 2, bias: false, init: kaimingOut(k, outC) }, rng);
}

/** `downsample`: 1x1 conv (stride) + BN, named `downsample.0` / `downsample.1` as in torchvision. */
function downsample(inC: number, outC: number, stride: number, rng: Rng): Sequential | undefined {
  if (stride === 1 && inC === outC) return undefined;
  return new Sequential([conv(inC, outC, 1, stride, rng), new BatchNorm2d(outC)]);
}

/** torchvision `BasicBlock` (ResNet-18/34): conv3x3(stride)-BN-ReLU-conv3x3-BN + identity, ReLU. */
export class BasicBlock extends Layer<tf.Tensor4D, tf.Tensor4D> implements ResidualBlock {
  static readonly expansion = 1;
  readonly outChannels: number;
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm2d;
  private readonly conv2: Conv2d;
  private readonly bn2: BatchNorm2d;
  private readonly down?: Sequential;

  constructor(inC: number, planes: number, stride: number, rng: Rng) {
    super();
    this.outChannels = planes;
    this.conv1 = this.addChild('conv1', conv(inC, planes, 3, stride, rng));
    this.bn1 = this.addChild('bn1', new BatchNorm2d(planes));
    this.conv2 = this.addChild('conv2', conv(planes, planes, 3, 1, rng));
    this.bn2 = this.addChild('bn2', new BatchNorm2d(planes));
    const d = downsample(inC, planes, stride, rng);
    if (d) this.down = this.addChild('downsample', d);
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      let y = tf.relu(this.bn1.apply(this.conv1.apply(x), training));
      y = this.bn2.apply(this.conv2.apply(y), training);
      const id = this.down ? this.down.apply(x, training) : x;
      return tf.relu(tf.add(y, id)) as tf.Tensor4D;
    });
  }
}

/** torchvision `Bottleneck` (ResNet-50, v1.5): 1x1-BN-ReLU, 3x3(stride)-BN-ReLU, 1x1(x4)-BN + identity, ReLU. */
export class Bottleneck extends Layer<tf.Tensor4D, tf.Tensor4D> implements ResidualBlock {
  static readonly expansion = 4;
  readonly outChannels: number;
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm2d;
  private readonly conv2: Conv2d;
  private readonly bn2: BatchNorm2d;
  private readonly conv3: Conv2d;
  private readonly bn3: BatchNorm2d;
  private readonly down?: Sequential;

  constructor(inC: number, planes: number, stride: number, rng: Rng) {
    super();
    this.outChannels = planes * Bottleneck.expansion;
    this.conv1 = this.addChild('conv1', conv(inC, planes, 1, 1, rng));
    this.bn1 = this.addChild('bn1', new BatchNorm2d(planes));
    this.conv2 = this.addChild('conv2', conv(planes, planes, 3, stride, rng));
    this.bn2 = this.addChild('bn2', new BatchNorm2d(planes));
    this.conv3 = this.addChild('conv3', conv(planes, this.outChannels, 1, 1, rng));
    this.bn3 = this.addChild('bn3', new BatchNorm2d(this.outChannels));
    const d = downsample(inC, this.outChannels, stride, rng);
    if (d) this.down = this.addChild('downsample', d);
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      let y = tf.relu(this.bn1.apply(this.conv1.apply(x), training));
      y = tf.relu(this.bn2.apply(this.conv2.apply(y), training));
      y = this.bn3.apply(this.conv3.apply(y), training);
      const id = this.down ? this.down.apply(x, training) : x;
      return tf.relu(tf.add(y, id)) as tf.Tensor4D;
    });
  }
}
