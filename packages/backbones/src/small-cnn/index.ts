import { z } from 'zod';
import { experimentSeed, type Backbone, type RegistryEntry } from '@iern/core';
import { SmallCnn } from './small-cnn.js';
import { withWeights } from '../weights/with-weights.js';
import { normalizationSchema, resolveNormalization } from '../common/normalization.js';

const options = z.strictObject({
  /** iern weights (`saveWeights`) or any same-named `.safetensors`; random init when absent. */
  weights: z.string().min(1).optional(),
  channels: z.array(z.number().int().positive()).min(1).default([16, 32, 64]),
  convsPerStage: z.number().int().positive().default(1),
  inputChannels: z.union([z.literal(1), z.literal(3)]).default(3),
  freeze: z.boolean().default(false),
  /** Initialisation seed (the experiment's train.seed is added). */
  seed: z.number().int().default(0),
  /** `half` (0.5/0.5), `imagenet`, or `{ mean, std }`. */
  normalization: normalizationSchema.default('half'),
});

export const smallCnnEntry: RegistryEntry<Backbone, z.infer<typeof options>> = {
  type: 'small-cnn',
  package: '@iern/backbones',
  description: 'Small conv-BN-ReLU CNN (stride-2 stages) for quick CPU runs',
  options,
  build: (o, container) => withWeights(new SmallCnn({ ...o, normalization: resolveNormalization(o.normalization), seed: o.seed + experimentSeed(container) }), o.weights),
};

export { SmallCnn };
