import * as tf from '@tensorflow/tfjs-core';
import {
  ConfigError,
  DataError,
  Rng,
  SplitOptimizer,
  crossEntropy,
  globalAvgPool,
  gradientReversal,
  type Batch,
  type ModelContext,
  type StepContext,
} from '@iern/core';
import { BaselineStrategy, type BaselineOptions } from '../baseline/baseline.js';
import { PooledCritic } from '../iern/pooled-critic.js';
import { ScalarLog, accuracy } from '../iern/scalars.js';

export interface AdversarialOptions extends BaselineOptions {
  /** Weight of the reversed confounder gradient into the backbone. */
  weight: number;
  /** Hidden width of the confounder critic. */
  hidden: number;
  /** DANN ramp: the weight rises as 2 / (1 + exp(-10 p)) - 1 over training progress p. */
  ramp: boolean;
}

/**
 * Domain-adversarial training (DANN), the standard non-causal comparator: the baseline plus
 * a confounder critic on the pooled backbone feature, whose gradient reaches the backbone
 * reversed. With a frozen backbone there is nothing for the reversal to change.
 */
export class AdversarialStrategy extends BaselineStrategy {
  override readonly type: string = 'adversarial';
  readonly critic: PooledCritic;

  constructor(ctx: ModelContext, protected readonly advOpts: AdversarialOptions) {
    super(ctx, advOpts);
    if (ctx.confounders.length < 1) {
      throw new ConfigError('model.strategy.type', 'adversarial needs confounder labels and the data has none');
    }
    this.critic = new PooledCritic(ctx.backbone.outputChannels, advOpts.hidden, ctx.confounders.length, new Rng(ctx.seed + 303));
  }

  /** Reversal weight at this step (with the DANN ramp when enabled). */
  reversalWeight(step: StepContext): number {
    if (!this.advOpts.ramp) return this.advOpts.weight;
    const p = Math.min(1, step.step / Math.max(1, step.totalSteps));
    return this.advOpts.weight * (2 / (1 + Math.exp(-10 * p)) - 1);
  }

  override async trainStep(batch: Batch, step: StepContext): Promise<Record<string, number>> {
    this.scheduleLr(step);
    const z = await batch.confounders.data();
    const k = this.ctx.confounders.length;
    z.forEach((v, i) => {
      if (!(v >= 0 && v < k)) throw new DataError(batch.ids[i] ?? `sample ${i}`, `confounder label ${v} missing or out of range: the adversarial strategy needs one per training sample`);
    });
    const lambda = this.reversalWeight(step);
    const headVars = [...this.classifier.trainableVariables(), ...this.critic.trainableVariables()];
    const backboneVars = this.ctx.backbone.trainableVariables();
    const log = new ScalarLog();
    const loss = () => {
      const f = this.backboneFeatures(batch, true);
      const logits = this.classifier.apply(globalAvgPool(f));
      const zLogits = this.critic.apply(gradientReversal(f, lambda));
      const ce = log.put('cls', crossEntropy(this.trainingLogits(logits, batch), batch.emotions));
      log.put('acc', accuracy(logits, batch.emotions));
      log.put('zAcc', accuracy(zLogits, batch.confounders));
      return tf.add(ce, log.put('critic', crossEntropy(zLogits, batch.confounders))) as tf.Scalar;
    };
    const opt = backboneVars.length
      ? new SplitOptimizer([
          [this.optimizer, headVars],
          [this.backboneOptimizer, backboneVars],
        ])
      : this.optimizer;
    try {
      const value = await step.minimize(opt, loss, [...headVars, ...backboneVars]);
      return { loss: value, ...(await log.read()), reversal: lambda };
    } finally {
      log.dispose();
    }
  }

  override namedVariables(): Map<string, tf.Variable> {
    const out = super.namedVariables();
    for (const [k, v] of this.critic.namedVariables()) out.set(`critic.${k}`, v);
    return out;
  }

  override dispose(): void {
    super.dispose();
    this.critic.dispose();
  }
}
