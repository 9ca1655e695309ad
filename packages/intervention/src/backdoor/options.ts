import { z } from 'zod';
import { logitAdjustOptions } from '../logit-adjust/options.js';

/** `emotionCritic`: a critic d_ez of the confounder on the emotion feature e (beyond the paper). */
export const emotionCriticOptions = z.strictObject({
  /** Weight of the adversarial term that pushes g_e to defeat d_ez. */
  weight: z.number().min(0).default(1),
  /**
   * `confusion`: weight * MSE(softmax(d_ez(e)), 1/K), like the published confusion terms
   * (bounded; on the toy tests it holds d_ez near chance). `reversal`: weight * CE(d_ez(GRL(e)), z),
   * g_e maximises the critic's loss (DANN; can overshoot and flip the critic).
   */
  mode: z.enum(['confusion', 'reversal']).default('confusion'),
  /**
   * `pooled`: GAP + MLP on e (what a linear probe reads). `conv`: the topology and N(0, 0.02)
   * init of the published critics d_e / d_c.
   */
  critic: z.enum(['pooled', 'conv']).default('pooled'),
});
export type EmotionCriticOptions = z.infer<typeof emotionCriticOptions>;

/** Options every IERN-style strategy shares (network widths, optimisers, schedule). */
export const iernSharedShape = {
  /** C: channels of every IERN feature (published: 512). */
  featureChannels: z.number().int().positive().default(512),
  /** Residual blocks in g_e and g_c (published: 2). */
  encoderBlocks: z.number().int().min(0).default(2),
  /** Residual blocks in g_r (published: 3). */
  decoderBlocks: z.number().int().min(0).default(3),
  /** Learning rate of the critic, feature and classifier optimisers (Adam). */
  lr: z.number().positive().default(2e-4),
  /** Learning rate of the backbone (and its 1x1 adapter) in the classifier step. */
  backboneLr: z.number().positive().default(1e-4),
  betas: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).default([0.5, 0.999]),
  /** Linear warm-up length in epochs (published: 5). */
  warmupEpochs: z.number().min(0).default(5),
  /** Epoch where the linear decay to 0 starts (default: half-way). */
  decayStartEpoch: z.number().min(0).optional(),
  /** Run g_r once on K stacked copies of the batch instead of once per stratum (pools BN statistics). */
  stackStrata: z.boolean().default(false),
  emotionCritic: emotionCriticOptions.optional(),
  /** Classifier step on NWGM logits + tau * log P(y | z); inference unchanged (see logit-adjust/). */
  logitAdjust: logitAdjustOptions.optional(),
};

export const backdoorOptions = z.strictObject({
  ...iernSharedShape,
  /** K: number of strata (default: the number of confounders in the data). */
  strata: z.number().int().positive().optional(),
  /** lambda of the center loss (published: 5e-4); the centres' gradient is scaled by 1/lambda. */
  lambdaCenter: z.number().positive().default(5e-4),
  /** P(z) in the backdoor adjustment: `uniform` (published) or `empirical` (training-set frequency). */
  prior: z.enum(['uniform', 'empirical']).default('uniform'),
});
export type BackdoorOptions = z.infer<typeof backdoorOptions>;

/** The keys shared by `backdoor` and `backdoor-attention`, as the step implementation needs them. */
export type IernStepOptions = Pick<
  BackdoorOptions,
  'featureChannels' | 'encoderBlocks' | 'decoderBlocks' | 'lr' | 'backboneLr' | 'betas' | 'warmupEpochs' | 'decayStartEpoch' | 'stackStrata' | 'emotionCritic' | 'logitAdjust'
>;
