import * as tf from '@tensorflow/tfjs-core';
import {
  FusedAdam,
  adam,
  Linear,
  Rng,
  crossEntropy,
  globalAvgPool,
  setLearningRate,
  SplitOptimizer,
  warmupConstantDecay,
  type Batch,
  type ModelContext,
  type Prediction,
  type StepContext,
  type Strategy,
} from '@iern/core';
import { LogitAdjustment } from '../logit-adjust/logit-adjust.js';
import type { LogitAdjustOptions } from '../logit-adjust/options.js';

export interface BaselineOptions {
  lr: number;
  backboneLr: number;
  betas: [number, number];
  warmupEpochs: number;
  decayStartEpoch?: number;
  logitAdjust?: LogitAdjustOptions;
}

/** The published baseline: f_c(GAP(f_b(x))) trained with cross-entropy only. */
export class BaselineStrategy implements Strategy {
  readonly type: string = 'baseline';
  protected readonly classifier: Linear;
  protected readonly optimizer: FusedAdam;
  protected readonly backboneOptimizer: FusedAdam;
  /** Training-time log-prior of the emotion within each confounder (option `logitAdjust`). */
  protected readonly adjustment?: LogitAdjustment;

  constructor(
    protected readonly ctx: ModelContext,
    protected readonly opts: BaselineOptions,
  ) {
    const rng = new Rng(ctx.seed + 101);
    this.classifier = new Linear(ctx.backbone.outputChannels, ctx.classes.length, rng);
    this.optimizer = adam(opts.lr, opts.betas[0], opts.betas[1]);
    this.backboneOptimizer = adam(opts.backboneLr, opts.betas[0], opts.betas[1]);
    if (opts.logitAdjust) this.adjustment = new LogitAdjustment(ctx, opts.logitAdjust);
  }

  /** Logits the training loss sees: adjusted by the label prior when `logitAdjust` is on. */
  protected trainingLogits(logits: tf.Tensor2D, batch: Batch): tf.Tensor2D {
    return this.adjustment ? this.adjustment.apply(logits, batch.confounders) : logits;
  }

  /** Backbone features: the cached ones when the batch carries them. */
  protected backboneFeatures(batch: Batch, training: boolean): tf.Tensor4D {
    if (batch.features) return batch.features;
    if (!batch.images) throw new Error('batch has neither images nor features');
    return this.ctx.backbone.apply(batch.images, training);
  }

  protected scheduleLr(step: StepContext): void {
    const factor = warmupConstantDecay(step.step / step.stepsPerEpoch, this.ctx.epochs, {
      warmupEpochs: this.opts.warmupEpochs,
      decayStartEpoch: this.opts.decayStartEpoch,
    });
    setLearningRate(this.optimizer, this.opts.lr * factor);
    setLearningRate(this.backboneOptimizer, this.opts.backboneLr * factor);
  }

  async trainStep(batch: Batch, step: StepContext): Promise<Record<string, number>> {
    this.scheduleLr(step);
    const backboneVars = this.ctx.backbone.trainableVariables();
    const headVars = this.classifier.trainableVariables();
    const loss = () => crossEntropy(this.trainingLogits(this.classifier.apply(globalAvgPool(this.backboneFeatures(batch, true))), batch), batch.emotions);
    if (backboneVars.length === 0) return { loss: await step.minimize(this.optimizer, loss, headVars) };
    // Two learning rates: compute gradients once, split them between the optimisers.
    const value = await step.minimize(new SplitOptimizer([
      [this.optimizer, headVars],
      [this.backboneOptimizer, backboneVars],
    ]), loss, [...headVars, ...backboneVars]);
    return { loss: value };
  }

  predict(batch: Batch): Prediction {
    return { logits: tf.tidy(() => this.classifier.apply(globalAvgPool(this.backboneFeatures(batch, false)))) };
  }

  features(batch: Batch): Record<string, tf.Tensor2D> {
    return { f: tf.tidy(() => globalAvgPool(this.backboneFeatures(batch, false))) };
  }

  namedVariables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [k, v] of this.ctx.backbone.namedVariables()) out.set(`backbone.${k}`, v);
    for (const [k, v] of this.classifier.namedVariables()) out.set(`classifier.${k}`, v);
    return out;
  }

  optimizers(): Record<string, tf.Optimizer> {
    return { head: this.optimizer, backbone: this.backboneOptimizer };
  }

  /** Nothing beyond the variables; the type guards against loading another strategy's state. */
  getState(): Record<string, unknown> {
    return { type: this.type };
  }

  setState(state: Record<string, unknown>): void {
    if (state['type'] !== undefined && state['type'] !== this.type) {
      throw new Error(`strategy state is for '${String(state['type'])}' but this model is '${this.type}'`);
    }
  }

  dispose(): void {
    this.classifier.dispose();
    this.optimizer.dispose();
    this.backboneOptimizer.dispose();
    this.adjustment?.dispose();
  }
}
