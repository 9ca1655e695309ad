import * as path from 'node:path';
import { z } from 'zod';
import { DataError, type Dataset, type RegistryEntry } from '@iern/core';
import { DatasetBuilder, fileSample, findCaseInsensitive, holdoutOptions, requireDir, requireFile, rootOption } from './common.js';
import { readTable } from '../formats/csv.js';
import { applyStrata, strataOption } from './strata.js';
import { asSentiment, labelsOption } from './sentiment.js';

/** Emotion6's probability columns, in file order. */
export const EMOTION6_CLASSES = ['anger', 'disgust', 'fear', 'joy', 'sadness', 'surprise', 'neutral'] as const;

export const emotion6Options = z.strictObject({
  root: rootOption,
  ...holdoutOptions,
  ...strataOption,
  ...labelsOption,
});
export type Emotion6Options = z.infer<typeof emotion6Options>;

/**
 * Emotion6: `images/<keyword>/<n>.jpg` (the folder is a search keyword, NOT the label);
 * `ground_truth.txt` (tab-separated, header) gives filename, valence, arousal and the seven
 * probabilities; the label is the argmax, ties are counted and skipped.
 */
export function loadEmotion6(o: Emotion6Options): Dataset {
  const root = requireDir(path.resolve(o.root), 'Emotion6 root');
  const file = requireFile(findCaseInsensitive(root, 'ground_truth.txt') ?? path.join(root, 'ground_truth.txt'), 'Emotion6 ground truth');
  const imgDir = findCaseInsensitive(root, 'images') ?? path.join(root, 'images');
  const t = readTable(file, { delimiter: '\t' });
  if (t.header.length < 10) throw new DataError(file, `expected 10 tab-separated columns (filename, valence, arousal, 7 probabilities), got ${t.header.length}`, 1);
  const b = new DatasetBuilder('emotion6', EMOTION6_CLASSES);
  for (const r of t.records) {
    const name = r.fields[0]!.trim().replace(/^\[|\]$/g, '');
    const probs = r.fields.slice(3, 10).map(Number);
    if (probs.length !== 7 || probs.some((p) => !Number.isFinite(p))) throw new DataError(file, 'expected 7 numeric probabilities after valence and arousal', r.line);
    const max = Math.max(...probs);
    if (probs.filter((p) => p === max).length > 1) {
      b.skip('argmax tie');
      continue;
    }
    b.add(fileSample(`emotion6/${name}`, path.join(imgDir, ...name.split('/')), EMOTION6_CLASSES[probs.indexOf(max)]!), name);
  }
  applyStrata(b, o.strata, root, imgDir);
  b.holdout(o);
  return o.labels === 'sentiment' ? asSentiment(b.build()) : b.build();
}

export const emotion6Entry: RegistryEntry<Dataset, Emotion6Options> = {
  type: 'emotion6',
  package: '@iern/datasets',
  description: 'Emotion6 (argmax of the emotion distribution in ground_truth.txt)',
  options: emotion6Options,
  build: (o) => loadEmotion6(o),
};
