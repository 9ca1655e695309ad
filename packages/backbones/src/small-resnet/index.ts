import { z } from 'zod';
import { experimentSeed, type Backbone, type RegistryEntry } from '@iern/core';
import { SmallResNet } from './small-resnet.js';
import { normalizationSchema, resolveNormalization } from '../common/normalization.js';
import { withWeights } from '../weights/with-weights.js';

const options = z.strictObject({
  /** iern weights (`saveWeights`) or any same-named `.safetensors`; random init when absent. */
  weights: z.string().min(1).optional(),
  channels: z.array(z.number().int().positive()).min(1).default([16, 32, 64]),
  blocksPerStage: z.number().int().positive().default(1),
  stem: z.number().int().positive().default(16),
  inputChannels: z.union([z.literal(1), z.literal(3)]).default(3),
  freeze: z.boolean().default(false),
  seed: z.number().int().default(0),
  normalization: normalizationSchema.default('half'),
});

export const smallResNetEntry: RegistryEntry<Backbone, z.infer<typeof options>> = {
  type: 'small-resnet',
  package: '@iern/backbones',
  description: 'Tiny ResNet (3x3 stem + stride-2 basic-block stages) for quick CPU runs',
  options,
  build: (o, container) => withWeights(new SmallResNet({ ...o, normalization: resolveNormalization(o.normalization), seed: o.seed + experimentSeed(container) }), o.weights),
};

export { SmallResNet };
export type { SmallResNetOptions } from './small-resnet.js';
