import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { DataError, type Dataset, type RegistryEntry } from '@iern/core';
import { DatasetBuilder, fileSample, findCaseInsensitive, requireDir, requireFile, rootOption } from './common.js';
import { LabelMap, codeToName } from '../formats/labels.js';

/** RAF-DB basic codes as documented: 1 Surprise .. 7 Neutral. */
export const RAFDB_CODES: Record<number, string> = { 1: 'Surprise', 2: 'Fear', 3: 'Disgust', 4: 'Happiness', 5: 'Sadness', 6: 'Anger', 7: 'Neutral' };
export const RAFDB_CLASSES = ['anger', 'disgust', 'fear', 'happiness', 'sadness', 'surprise', 'neutral'] as const;

export const rafdbOptions = z.strictObject({
  root: rootOption,
  split: z.enum(['train', 'test', 'all']).default('train'),
  /** Aligned 100x100 faces (`Image/aligned/<stem>_aligned.jpg`) or the originals (`Image/original/<name>`). */
  aligned: z.boolean().default(true),
});
export type RafdbOptions = z.infer<typeof rafdbOptions>;

/** RAF-DB basic: `EmoLabel/list_patition_label.txt` (sic) lines `train_00001.jpg 5`; split by prefix. */
export function loadRafdb(o: RafdbOptions): Dataset {
  const root = requireDir(path.resolve(o.root), 'RAF-DB root');
  const emoDir = findCaseInsensitive(root, 'EmoLabel') ?? path.join(root, 'EmoLabel');
  const file = requireFile(
    findCaseInsensitive(emoDir, 'list_patition_label.txt') ?? findCaseInsensitive(emoDir, 'list_partition_label.txt') ?? path.join(emoDir, 'list_patition_label.txt'),
    'RAF-DB label list',
  );
  const imgDir = path.join(findCaseInsensitive(root, 'Image') ?? path.join(root, 'Image'), o.aligned ? 'aligned' : 'original');
  const map = new LabelMap(RAFDB_CLASSES);
  const b = new DatasetBuilder('rafdb', RAFDB_CLASSES);
  readFileSync(file, 'utf8').split(/\r?\n/).forEach((text, i) => {
    const line = i + 1;
    if (!text.trim()) return;
    const parts = text.trim().split(/\s+/);
    if (parts.length !== 2) throw new DataError(file, `expected '<image> <label>', got '${text}'`, line);
    const [name, code] = parts as [string, string];
    const split = name.startsWith('train_') ? 'train' : name.startsWith('test_') ? 'test' : undefined;
    if (!split) throw new DataError(file, `image name '${name}' starts with neither train_ nor test_`, line);
    const r = map.map(codeToName(RAFDB_CODES, code, { file, line }), { file, line });
    if ('skip' in r) return b.skip(r.skip);
    if (o.split !== 'all' && split !== o.split) return;
    const stem = path.parse(name).name;
    const img = o.aligned ? path.join(imgDir, `${stem}_aligned.jpg`) : path.join(imgDir, name);
    b.add(fileSample(`rafdb/${stem}`, img, r.emotion, { split }));
  });
  return b.build();
}

export const rafdbEntry: RegistryEntry<Dataset, RafdbOptions> = {
  type: 'rafdb',
  package: '@iern/datasets',
  description: 'RAF-DB basic emotions (aligned faces), split by file-name prefix',
  options: rafdbOptions,
  build: (o) => loadRafdb(o),
};
