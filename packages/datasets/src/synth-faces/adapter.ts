import type { Dataset, RegistryEntry, Sample } from '@iern/core';
import { makeFolds, type Cell } from '../protocol/folds.js';
import { readCache, writeCache, defaultCacheDir } from './cache.js';
import { renderAll, synthImageList, toSamples } from './generate.js';
import { SYNTH_EMOTIONS, SYNTH_SOURCES, synthFacesOptions, type SynthFacesOptions } from './options.js';

/** One emotion of each MixBasic pair: the validation split holds out one per source. */
const VAL_GROUPS = [['anger'], ['fear'], ['sadness']] as const;

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
 * accuracy is measured on images never trained on. `val-train`/`val` carve a validation
 * split out of the fold's training data (each source holds out one emotion of the next fold's
 * pair), plus fresh `seen-val`
 * images, so settings can be chosen without the test cells. `all` returns every image.
 */
export async function makeSynthFaces(o: SynthFacesOptions): Promise<FoldedDataset> {
  const { samples, origin } = await synthFacesPixels(o);
  const pool = (s: Sample) => (s as Sample & { pool?: string }).pool;
  const protocol = samples.filter((s) => pool(s) === 'protocol');
  const rule = { emotions: SYNTH_EMOTIONS, sources: SYNTH_SOURCES };
  const folds = makeFolds(protocol, { fold: o.fold, ratio: o.ratio, seed: o.seed, ...rule });
  const key = (s: { confounder?: string; emotion: string }) => `${s.confounder}|${s.emotion}`;
  const held = new Set(folds.heldOutCells.map(key));
  let chosen: Sample[];
  let heldOutCells = folds.heldOutCells;
  if (o.split === 'all') chosen = samples;
  else if (o.split === 'train') chosen = folds.train;
  else if (o.split === 'test') chosen = [...folds.test, ...samples.filter((s) => pool(s) === 'seen-test' && !held.has(key(s)))];
  else {
    // validation: each source holds out one more emotion (one per pair, from the next fold's
    // pair) of this fold's training data, so it still trains on 3 emotions per source
    const val = makeFolds(folds.train, { fold: (o.fold % SYNTH_SOURCES.length) + 1, ratio: 1, seed: o.seed, ...rule, groups: VAL_GROUPS });
    const valHeld = new Set(val.heldOutCells.map(key));
    heldOutCells = val.heldOutCells;
    chosen = o.split === 'val-train' ? val.train : [...val.test, ...samples.filter((s) => pool(s) === 'seen-val' && !held.has(key(s)) && !valHeld.has(key(s)))];
  }
  const split = o.split === 'all' ? undefined : o.split === 'val-train' ? 'train' : o.split === 'val' ? 'val' : o.split;
  return {
    name: 'synth-faces',
    classes: [...SYNTH_EMOTIONS],
    confounders: [...SYNTH_SOURCES],
    samples: chosen.map((s) => ({ id: s.id, image: s.image, emotion: s.emotion, confounder: s.confounder, ...(split ? { split } : {}) })),
    skipped: {},
    problems: [],
    heldOutCells,
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
