import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { DataError, type Dataset, type RegistryEntry } from '@iern/core';
import { DatasetBuilder, fileSample, findCaseInsensitive, requireDir, requireFile, rootOption } from './common.js';
import { LabelMap } from '../formats/labels.js';
import { applyStrata, strataOption } from './strata.js';
import { asSentiment, labelsOption } from './sentiment.js';

/** EmotionROI's six classes, kept as they are (`joy`, not happiness). */
export const EMOTIONROI_CLASSES = ['anger', 'disgust', 'fear', 'joy', 'sadness', 'surprise'] as const;

export const emotionroiOptions = z.strictObject({
  root: rootOption,
  split: z.enum(['train', 'test', 'all']).default('train'),
  ...strataOption,
  ...labelsOption,
});
export type EmotionroiOptions = z.infer<typeof emotionroiOptions>;

/** EmotionROI: `images/<class>/<n>.jpg` listed in `training_testing_split/{training,testing}.txt` as `class/filename`. */
export function loadEmotionroi(o: EmotionroiOptions): Dataset {
  const root = requireDir(path.resolve(o.root), 'EmotionROI root');
  const imgDir = findCaseInsensitive(root, 'images') ?? path.join(root, 'images');
  const splitDir = findCaseInsensitive(root, 'training_testing_split') ?? path.join(root, 'training_testing_split');
  const map = new LabelMap(EMOTIONROI_CLASSES);
  const b = new DatasetBuilder('emotionroi', EMOTIONROI_CLASSES);
  const parts: [string, string][] = [['training.txt', 'train'], ['testing.txt', 'test']];
  for (const [name, split] of parts) {
    if (o.split !== 'all' && o.split !== split) continue;
    const file = requireFile(path.join(splitDir, name), 'EmotionROI split list');
    readFileSync(file, 'utf8').split(/\r?\n/).forEach((text, i) => {
      const rel = text.trim().replace(/\\/g, '/').replace(/^\.?\/?(images\/)?/, '');
      if (!rel) return;
      const segs = rel.split('/');
      if (segs.length !== 2) throw new DataError(file, `expected 'class/filename', got '${text.trim()}'`, i + 1);
      const r = map.map(segs[0]!, { file, line: i + 1 });
      if ('skip' in r) return b.skip(r.skip);
      b.add(fileSample(`emotionroi/${rel}`, path.join(imgDir, ...segs), r.emotion, { split }));
    });
  }
  applyStrata(b, o.strata, root, imgDir);
  return o.labels === 'sentiment' ? asSentiment(b.build()) : b.build();
}

export const emotionroiEntry: RegistryEntry<Dataset, EmotionroiOptions> = {
  type: 'emotionroi',
  package: '@iern/datasets',
  description: 'EmotionROI (6 classes, official training/testing lists)',
  options: emotionroiOptions,
  build: (o) => loadEmotionroi(o),
};
