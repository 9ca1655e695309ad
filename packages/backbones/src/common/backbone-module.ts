import * as tf from '@tensorflow/tfjs-core';
import { IernError, Module, type Backbone, type Normalization } from '@iern/core';
import { hashVariables } from '../weights/weights-key.js';

/** What every iern backbone is built with. */
export interface BackboneBasics {
  inputChannels: number;
  normalization: Normalization;
  /** Frozen: no trainable variables, BatchNorm always uses running statistics. */
  freeze: boolean;
}

/**
 * The behaviour iern's backbones share: the input check, freezing, and a weights key that
 * hashes the weights' content (right whether they came from a seed, a file or a checkpoint).
 * A backbone builds its layers in its constructor, calls `freezeIfAsked()`, and implements
 * `forward` and `archKey`.
 */
export abstract class BackboneModule extends Module implements Backbone {
  abstract readonly type: string;
  abstract readonly outputChannels: number;
  abstract readonly reductionFactor: number;
  readonly inputChannels: number;
  readonly normalization: Normalization;
  readonly frozen: boolean;

  constructor(basics: BackboneBasics) {
    super();
    this.inputChannels = basics.inputChannels;
    this.normalization = basics.normalization;
    this.frozen = basics.freeze;
  }

  /** Call once every layer exists: a frozen backbone's variables stop being trainable. */
  protected freezeIfAsked(): void {
    if (this.frozen) for (const v of super.trainableVariables()) v.trainable = false;
  }

  /** The network itself; `training` is already false when the backbone is frozen. */
  protected abstract forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D;

  /** Architecture part of the weights key (type, widths, input channels). */
  protected abstract archKey(): string;

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    if (x.rank !== 4 || x.shape[3] !== this.inputChannels) {
      throw new IernError(`${this.type}: expected NHWC input with ${this.inputChannels} channels, got shape [${x.shape.join(', ')}]`);
    }
    return tf.tidy(() => this.forward(x, training && !this.frozen));
  }

  override trainableVariables(): tf.Variable[] {
    return this.frozen ? [] : super.trainableVariables();
  }

  weightsKey(): string {
    return `${this.archKey()}:${hashVariables(this.namedVariables())}`;
  }
}
