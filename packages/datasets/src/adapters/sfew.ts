import * as path from 'node:path';
import { z } from 'zod';
import { type Dataset, type RegistryEntry } from '@iern/core';
import { DatasetBuilder, fileSample, findCaseInsensitive, isImageFile, listDir, requireDir, rootOption, subDirs } from './common.js';
import { LabelMap } from '../formats/labels.js';
import { FER2013_CLASSES } from './fer2013.js';

export const sfewOptions = z.strictObject({
  root: rootOption,
  /** train = Train; val and test = Val (Val is the test set; Test is unlabelled). */
  split: z.enum(['train', 'val', 'test', 'all']).default('train'),
});
export type SfewOptions = z.infer<typeof sfewOptions>;

/** A split folder, unwrapping the double nesting some zips produce (`Val/Val/<Class>`). */
export function sfewSplitDir(root: string, name: string): string {
  let dir = requireDir(findCaseInsensitive(root, name) ?? path.join(root, name), `SFEW ${name} folder`);
  for (;;) {
    const inner = findCaseInsensitive(dir, name);
    if (!inner || subDirs(dir).length !== 1) return dir;
    dir = inner;
  }
}

/** SFEW 2.0: `Train/<Class>/*.png`, `Val/<Class>/*.png`. */
export function loadSfew(o: SfewOptions): Dataset {
  const root = requireDir(path.resolve(o.root), 'SFEW root');
  const map = new LabelMap(FER2013_CLASSES);
  const b = new DatasetBuilder('sfew', FER2013_CLASSES);
  const parts: [string, string][] = o.split === 'all' ? [['Train', 'train'], ['Val', 'test']] : [[o.split === 'train' ? 'Train' : 'Val', o.split]];
  for (const [folder, split] of parts) {
    const dir = sfewSplitDir(root, folder);
    for (const cls of subDirs(dir)) {
      const r = map.map(cls, { file: path.join(dir, cls) });
      if ('skip' in r) continue;
      for (const f of listDir(path.join(dir, cls))) {
        if (!isImageFile(f)) b.skip('not an image');
        else b.add(fileSample(`sfew/${folder}/${cls}/${f}`, path.join(dir, cls, f), r.emotion, { split }));
      }
    }
  }
  return b.build();
}

export const sfewEntry: RegistryEntry<Dataset, SfewOptions> = {
  type: 'sfew',
  package: '@iern/datasets',
  description: 'SFEW 2.0 class folders (Train, Val as test; double-nested Val/Val handled)',
  options: sfewOptions,
  build: (o) => loadSfew(o),
};
