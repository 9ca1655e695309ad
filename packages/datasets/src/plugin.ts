import type { IernPlugin } from '@iern/core';
import { toyShapesEntry } from './generated/toy-shapes.js';

/** Registers every dataset adapter this package provides. */
export const plugin: IernPlugin = {
  name: '@iern/datasets',
  register(registries) {
    registries.datasets.register(toyShapesEntry);
  },
};

export default plugin;
