import type { IernPlugin } from '@iern/core';
import { smallCnnEntry } from './small-cnn/index.js';

/** Registers every backbone this package provides. */
export const plugin: IernPlugin = {
  name: '@iern/backbones',
  register(registries) {
    registries.backbones.register(smallCnnEntry);
  },
};

export default plugin;
