import type { IernPlugin } from '@iern/core';
import { smallCnnEntry } from './small-cnn/index.js';
import { resnetEntries } from './resnet/index.js';
import { smallResNetEntry } from './small-resnet/index.js';

/** Registers every backbone this package provides. */
export const plugin: IernPlugin = {
  name: '@iern/backbones',
  register(registries) {
    registries.backbones.register(smallCnnEntry);
    for (const e of resnetEntries) registries.backbones.register(e);
    registries.backbones.register(smallResNetEntry);
  },
};

export default plugin;
