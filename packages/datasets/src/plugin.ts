import type { IernPlugin } from '@iern/core';
import { toyShapesEntry } from './generated/toy-shapes.js';
import { synthFacesEntry } from './synth-faces/index.js';
import { adapterEntries } from './adapters/index.js';

/** Registers every dataset adapter this package provides. */
export const plugin: IernPlugin = {
  name: '@iern/datasets',
  register(registries) {
    registries.datasets.register(toyShapesEntry);
    registries.datasets.register(synthFacesEntry);
    for (const entry of adapterEntries) registries.datasets.register(entry);
  },
};

export default plugin;
