import type { Dataset, RegistryEntry, Sample } from '@iern/core';
import { makeFolds, type Cell } from '../protocol/folds.js';
import { readCache, writeCache, defaultCacheDir } from './cache.js';
import { renderAll, synthImageList, toSamples } from './generate.js';
import { SYNTH_EMOTIONS, SYNTH_SOURCES, synthFacesOptions, type SynthFacesOptions } from './options.js';

/** A dataset split by the held-out-pair rule: it says which (source, emotion) cells are held out. */
export interface FoldedDataset extends Dataset {
  heldOutCells: Cell[];
  /** Where the pixels came from: `cache` (read), `rendered` (and written), `rendered (no cache)`. */
  origin: string;
}

/** All images of the options: read from the cache or rendered (then cached). */
export async function synthFacesPixels(o: SynthFacesOptions): Promise<{ samples: Sample[]; origin: string }> {
  const list = synthImageList(o);
  const bytes = list.length * o.size * o.size * 3;
  const dir = o.cacheDir ?? defaultCacheDir(o);
  let pixels = o.cache ? await readCache(dir, o, bytes) : undefined;
  let origin = 'cache';
  if (!pixels) {
    pixels = renderAll(o, list);
    origin = o.cache ? 'rendered' : 'rendered (no cache)';
    if (o.cache) await writeCache(dir, o, pixels);
  }
  const samples = toSamples(o, list, pixels);
  samples.forEach((s, i) => ((s as Sample & { pool?: string }).pool = list[i]!.pool));
  return { samples, origin };
}

/**
 * The `synth-faces` benchmark split by the MixBasic rule (`makeFolds`): in fold f each source
 * holds out one emotion pair; `ratio` of each held-out cell goes to test, the rest to train.
 * The test split also gets `seenTestPerCell` fresh images of every seen cell, so seen-cell
 * accuracy is measured on images never trained on. `all` returns every image.
 */
export async function makeSynthFaces(o: SynthFacesOptions): Promise<FoldedDataset> {
  const { samples, origin } = await synthFacesPixels(o);
  const protocol = samples.filter((s) => (s as Sample & { pool?: string }).pool === 'protocol');
  const folds = makeFolds(protocol, { fold: o.fold, ratio: o.ratio, seed: o.seed, emotions: SYNTH_EMOTIONS, sources: SYNTH_SOURCES });
  const held = new Set(folds.heldOutCells.map((c) => `${c.confounder}|${c.emotion}`));
  let chosen: Sample[];
  if (o.split === 'all') chosen = samples;
  else if (o.split === 'train') chosen = folds.train;
  else {
    const seenTest = samples.filter((s) => (s as Sample & { pool?: string }).pool === 'seen-test' && !held.has(`${s.confounder}|${s.emotion}`));
    chosen = [...folds.test, ...seenTest];
  }
  const split = o.split === 'all' ? undefined : o.split;
  return {
    name: 'synth-faces',
    classes: [...SYNTH_EMOTIONS],
    confounders: [...SYNTH_SOURCES],
    samples: chosen.map((s) => ({ id: s.id, image: s.image, emotion: s.emotion, confounder: s.confounder, ...(split ? { split } : {}) })),
    skipped: {},
    problems: [],
    heldOutCells: folds.heldOutCells,
    origin,
  };
}

export const synthFacesEntry: RegistryEntry<Dataset, SynthFacesOptions> = {
  type: 'synth-faces',
  package: '@iern/datasets',
  description: 'Built-in benchmark: procedurally drawn faces from 3 sources with distinct looks, split by the MixBasic held-out-pair rule',
  options: synthFacesOptions,
  build: (o) => makeSynthFaces(o),
};
