import { modelContext, type RegistryEntry, type Strategy } from '@iern/core';
import { BackdoorStrategy } from './backdoor.js';
import { backdoorOptions, type BackdoorOptions } from './options.js';

export const backdoorEntry: RegistryEntry<Strategy, BackdoorOptions> = {
  type: 'backdoor',
  package: '@iern/intervention',
  description: 'IERN (ACM MM 2022): backdoor adjustment over confounder strata, three-optimiser step as published',
  options: backdoorOptions,
  build: (o, container) => new BackdoorStrategy(modelContext(container), o),
};

export { BackdoorStrategy, backdoorOptions, type BackdoorOptions };
export { emotionCriticOptions, type EmotionCriticOptions } from './options.js';
