import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, DataError, type Batch, type ModelContext } from '@iern/core';
import { IernStepStrategy } from '../iern/step.js';
import { stratumPrior } from '../iern/nwgm.js';
import type { BackdoorOptions } from './options.js';

/**
 * IERN as published: strata are the confounder labels, the dictionary is the learnable
 * confounder centres, P(z) uniform (or empirical), plus the optional emotion critic.
 */
export class BackdoorStrategy extends IernStepStrategy {
  readonly type: string = 'backdoor';
  /** P(z), [K]. */
  readonly prior: tf.Tensor1D;
  readonly priorValues: number[];

  constructor(ctx: ModelContext, readonly opts: BackdoorOptions) {
    const k = opts.strata ?? ctx.confounders.length;
    if (k < 1) {
      throw new ConfigError('model.strategy.type', `backdoor needs confounder labels (strata) and the data has none; use backdoor-attention`);
    }
    if (ctx.confounders.length > k) {
      throw new ConfigError('model.strategy.strata', `${k} strata but the data has ${ctx.confounders.length} confounders (${ctx.confounders.join(', ')})`);
    }
    super(ctx, opts, { strata: k, centres: true });
    this.priorValues = stratumPrior(opts.prior, k, ctx.confounderCounts);
    this.prior = tf.tensor1d(this.priorValues);
  }

  protected async strataFor(batch: Batch): Promise<tf.Tensor1D> {
    const z = await batch.confounders.data();
    for (let i = 0; i < z.length; i++) {
      const v = z[i]!;
      if (!(v >= 0 && v < this.strata)) {
        throw new DataError(
          batch.ids[i] ?? `sample ${i}`,
          v < 0
            ? 'no confounder label: the backdoor strategy needs one for every training sample (backdoor-attention does not)'
            : `confounder index ${v} is outside the ${this.strata} strata (model.strategy.strata)`,
        );
      }
    }
    return batch.confounders;
  }

  protected centerLoss(c: tf.Tensor4D, strata: tf.Tensor1D): tf.Scalar {
    return this.net.centres!.loss(c, strata);
  }

  protected centerWeight(): number {
    return this.opts.lambdaCenter;
  }

  /** The centres move at full rate while the features feel lambda (as published). */
  protected featureGradScale(): Map<tf.Variable, number> {
    return new Map([[this.net.centres!.centres, 1 / this.opts.lambdaCenter]]);
  }

  dictionary(): tf.Tensor4D {
    return this.net.centres!.dictionary();
  }

  protected stratumWeights(): tf.Tensor1D {
    return this.prior;
  }

  override getState(): Record<string, unknown> {
    return { ...super.getState(), prior: this.priorValues };
  }

  override dispose(): void {
    super.dispose();
    this.prior.dispose();
  }
}
