import { z } from 'zod';
import { modelContext, type RegistryEntry, type Strategy } from '@iern/core';
import { BaselineStrategy } from './baseline.js';
import { logitAdjustOptions } from '../logit-adjust/options.js';

export const baselineOptions = z.strictObject({
  /** Head learning rate (Adam). Published: 2e-4. */
  lr: z.number().positive().default(2e-4),
  /** Backbone learning rate. Published: 1e-4. */
  backboneLr: z.number().positive().default(1e-4),
  betas: z.tuple([z.number(), z.number()]).default([0.5, 0.999]),
  warmupEpochs: z.number().min(0).default(5),
  /** Epoch where the linear decay to 0 starts (default: half-way). */
  decayStartEpoch: z.number().min(0).optional(),
  /** Train on logits + tau * log P(y | z); predict with the plain logits (see logit-adjust/). */
  logitAdjust: logitAdjustOptions.optional(),
});

export const baselineEntry: RegistryEntry<Strategy, z.infer<typeof baselineOptions>> = {
  type: 'baseline',
  package: '@iern/intervention',
  description: 'f_c(GAP(f_b(x))) trained with cross-entropy only (the published baseline)',
  options: baselineOptions,
  build: (o, container) => new BaselineStrategy(modelContext(container), o),
};

export { BaselineStrategy };
