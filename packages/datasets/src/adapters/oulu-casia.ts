import * as path from 'node:path';
import { z } from 'zod';
import { BASIC6, type Dataset, type RegistryEntry } from '@iern/core';
import { DatasetBuilder, fileSample, findCaseInsensitive, holdoutOptions, isImageFile, listDir, naturalSort, requireDir, rootOption, subDirs } from './common.js';
import { LabelMap } from '../formats/labels.js';

export const ouluOptions = z.strictObject({
  root: rootOption,
  ...holdoutOptions,
  modality: z.enum(['VL', 'NI']).default('VL'),
  illumination: z.enum(['Strong', 'Weak', 'Dark']).default('Strong'),
  /** Frames from the end of each sequence (the apex). */
  frames: z.number().int().positive().default(3),
});
export type OuluOptions = z.infer<typeof ouluOptions>;

/** Oulu-CASIA: `<root>/VL/Strong/P###/<Emotion>/*.jpeg`; six classes (no neutral); last 3 frames. */
export function loadOulu(o: OuluOptions): Dataset {
  const root = requireDir(path.resolve(o.root), 'Oulu-CASIA root');
  const mod = findCaseInsensitive(root, o.modality) ?? path.join(root, o.modality);
  const dir = requireDir(findCaseInsensitive(mod, o.illumination) ?? path.join(mod, o.illumination), `Oulu-CASIA ${o.modality}/${o.illumination} folder`);
  const map = new LabelMap(BASIC6);
  const b = new DatasetBuilder('oulu-casia', BASIC6);
  for (const person of subDirs(dir)) {
    for (const emo of subDirs(path.join(dir, person))) {
      const r = map.map(emo, { file: path.join(dir, person, emo) });
      if ('skip' in r) continue;
      const frames = naturalSort(listDir(path.join(dir, person, emo)).filter(isImageFile)).slice(-o.frames);
      for (const f of frames) b.add(fileSample(`oulu-casia/${person}/${emo}/${f}`, path.join(dir, person, emo, f), r.emotion), person);
    }
  }
  b.holdout(o);
  return b.build();
}

export const ouluEntry: RegistryEntry<Dataset, OuluOptions> = {
  type: 'oulu-casia',
  package: '@iern/datasets',
  description: 'Oulu-CASIA raw: VL/Strong, last 3 frames of each sequence',
  options: ouluOptions,
  build: (o) => loadOulu(o),
};
