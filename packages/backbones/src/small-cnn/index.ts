import { z } from 'zod';
import { experimentSeed, type Backbone, type RegistryEntry } from '@iern/core';
import { SmallCnn } from './small-cnn.js';

const options = z.strictObject({
  channels: z.array(z.number().int().positive()).min(1).default([16, 32, 64]),
  convsPerStage: z.number().int().positive().default(1),
  inputChannels: z.union([z.literal(1), z.literal(3)]).default(3),
  freeze: z.boolean().default(false),
  /** Initialisation seed (the experiment's train.seed is added). */
  seed: z.number().int().default(0),
  normalization: z
    .strictObject({ mean: z.tuple([z.number(), z.number(), z.number()]), std: z.tuple([z.number(), z.number(), z.number()]) })
    .default({ mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }),
});

export const smallCnnEntry: RegistryEntry<Backbone, z.infer<typeof options>> = {
  type: 'small-cnn',
  package: '@iern/backbones',
  description: 'Small conv-BN-ReLU CNN (stride-2 stages) for quick CPU runs',
  options,
  build: (o, container) => new SmallCnn({ ...o, seed: o.seed + experimentSeed(container) }),
};

export { SmallCnn };
