import type { IernPlugin } from '@iern/core';
import { baselineEntry } from './baseline/index.js';

/** Registers every strategy this package provides. */
export const plugin: IernPlugin = {
  name: '@iern/intervention',
  register(registries) {
    registries.strategies.register(baselineEntry);
  },
};

export default plugin;
