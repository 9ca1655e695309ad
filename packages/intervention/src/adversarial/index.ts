import { z } from 'zod';
import { modelContext, type RegistryEntry, type Strategy } from '@iern/core';
import { baselineOptions } from '../baseline/index.js';
import { AdversarialStrategy } from './adversarial.js';

export const adversarialOptions = z.strictObject({
  ...baselineOptions.shape,
  /** Weight of the reversed confounder gradient (DANN lambda). */
  weight: z.number().min(0).default(1),
  /** Hidden width of the confounder critic (GAP + MLP). */
  hidden: z.number().int().positive().default(256),
  /** DANN ramp of the weight: 2 / (1 + exp(-10 p)) - 1 over training progress p. */
  ramp: z.boolean().default(true),
});
export type AdversarialOptions = z.infer<typeof adversarialOptions>;

export const adversarialEntry: RegistryEntry<Strategy, AdversarialOptions> = {
  type: 'adversarial',
  package: '@iern/intervention',
  description: 'baseline + confounder critic on the pooled backbone feature with gradient reversal (DANN)',
  options: adversarialOptions,
  build: (o, container) => new AdversarialStrategy(modelContext(container), o),
};

export { AdversarialStrategy };
