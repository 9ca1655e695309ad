import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { BASIC6, DataError, type Dataset, type RegistryEntry } from '@iern/core';
import { DatasetBuilder, fileSample, findCaseInsensitive, holdoutOptions, isImageFile, listDir, naturalSort, requireDir, rootOption, subDirs } from './common.js';
import { LabelMap, codeToName } from '../formats/labels.js';

/** CK+ emotion codes as the dataset documents them. */
export const CKPLUS_CODES: Record<number, string> = { 0: 'Neutral', 1: 'Anger', 2: 'Contempt', 3: 'Disgust', 4: 'Fear', 5: 'Happy', 6: 'Sadness', 7: 'Surprise' };

export const ckplusOptions = z.strictObject({
  root: rootOption,
  ...holdoutOptions,
  /** Frames taken from the end of each labelled sequence (the peak). */
  frames: z.number().int().positive().default(3),
  /** MixBasic drops contempt (counted); `keep` adds it as a class. */
  contempt: z.enum(['drop', 'keep']).default('drop'),
});
export type CkplusOptions = z.infer<typeof ckplusOptions>;

/**
 * CK+: `cohn-kanade-images/S005/001/*.png` with `Emotion/S005/001/*_emotion.txt` (one float).
 * Only labelled sequences are used (327 of 593): the last `frames` frames of each.
 */
export function loadCkplus(o: CkplusOptions): Dataset {
  const root = requireDir(path.resolve(o.root), 'CK+ root');
  const images = findCaseInsensitive(root, 'cohn-kanade-images') ?? path.join(root, 'cohn-kanade-images');
  requireDir(images, 'CK+ image folder');
  const emoDir = findCaseInsensitive(root, 'Emotion') ?? path.join(root, 'Emotion');
  requireDir(emoDir, 'CK+ label folder');
  const classes = o.contempt === 'keep' ? [...BASIC6, 'contempt'] : [...BASIC6];
  const map = new LabelMap(classes, ['contempt']);
  const b = new DatasetBuilder('ckplus', classes);
  for (const subject of subDirs(images)) {
    for (const seq of subDirs(path.join(images, subject))) {
      const labelDir = path.join(emoDir, subject, seq);
      const labelFile = existsSync(labelDir) ? listDir(labelDir).find((f) => f.endsWith('_emotion.txt')) : undefined;
      if (!labelFile) {
        b.skip('unlabelled sequence');
        continue;
      }
      const file = path.join(labelDir, labelFile);
      const text = readFileSync(file, 'utf8').trim();
      const code = Number(text);
      if (!Number.isFinite(code)) throw new DataError(file, `expected one number, got '${text}'`, 1);
      const r = map.map(codeToName(CKPLUS_CODES, String(Math.round(code)), { file, line: 1 }), { file, line: 1 });
      const frames = naturalSort(listDir(path.join(images, subject, seq)).filter(isImageFile)).slice(-o.frames);
      if ('skip' in r) {
        b.skip(r.skip, frames.length);
        continue;
      }
      for (const f of frames) {
        b.add(fileSample(`ckplus/${path.parse(f).name}`, path.join(images, subject, seq, f), r.emotion), subject);
      }
    }
  }
  b.holdout(o);
  return b.build();
}

export const ckplusEntry: RegistryEntry<Dataset, CkplusOptions> = {
  type: 'ckplus',
  package: '@iern/datasets',
  description: 'CK+ raw: last 3 frames of each labelled sequence, contempt dropped',
  options: ckplusOptions,
  build: (o) => loadCkplus(o),
};
