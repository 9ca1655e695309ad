import { modelContext, type RegistryEntry, type Strategy } from '@iern/core';
import { BackdoorAttentionStrategy } from './backdoor-attention.js';
import { backdoorAttentionOptions, type BackdoorAttentionOptions } from './options.js';

export const backdoorAttentionEntry: RegistryEntry<Strategy, BackdoorAttentionOptions> = {
  type: 'backdoor-attention',
  package: '@iern/intervention',
  description: 'IERN step with a k-means dictionary of context features and an attention-weighted NWGM (no confounder labels needed)',
  options: backdoorAttentionOptions,
  build: (o, container) => new BackdoorAttentionStrategy(modelContext(container), o),
};

export { BackdoorAttentionStrategy, backdoorAttentionOptions, type BackdoorAttentionOptions };
export { alignClusters, kmeans, type KMeansResult } from './kmeans.js';
export { DictionaryAttention } from './attention.js';
