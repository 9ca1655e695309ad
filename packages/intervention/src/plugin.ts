import type { IernPlugin } from '@iern/core';
import { baselineEntry } from './baseline/index.js';
import { backdoorEntry } from './backdoor/index.js';
import { adversarialEntry } from './adversarial/index.js';
import { backdoorAttentionEntry } from './backdoor-attention/index.js';

/** Registers every strategy this package provides. */
export const plugin: IernPlugin = {
  name: '@iern/intervention',
  register(registries) {
    registries.strategies.register(baselineEntry);
    registries.strategies.register(backdoorEntry);
    registries.strategies.register(adversarialEntry);
    registries.strategies.register(backdoorAttentionEntry);
  },
};

export default plugin;
