import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { BASIC6, DataError, type Dataset, type RegistryEntry, type Sample } from '@iern/core';
import { DatasetBuilder, fileSample, findCaseInsensitive, isImageFile, listDir, requireDir, rootOption } from './common.js';
import { readStringDictPickle } from '../formats/pickle.js';
import { parseCsv } from '../formats/csv.js';
import { LabelMap } from '../formats/labels.js';
import { makeFolds } from '../protocol/folds.js';
import { foldKey, readFoldList } from '../protocol/fold-lists.js';

/** The three sources, in the official folder spelling; the confounder is the lower-case name. */
export const MIXBASIC_SOURCES = ['CKPlus', 'MMI', 'OuluCASIA'] as const;

export const mixbasicOptions = z.strictObject({
  root: rootOption,
  split: z.enum(['train', 'test', 'all']).default('train'),
  setting: z.enum(['bias100', 'bias90']).default('bias100'),
  fold: z.union([z.literal(1), z.literal(2), z.literal(3)]).default(1),
  /** Label file: `emotion_labels.pkl`, `emotion_labels.csv`, or whichever exists (pkl first). */
  labels: z.enum(['auto', 'pkl', 'csv']).default('auto'),
  /** `auto`: the official fold lists when both exist in root, else generated folds. */
  folds: z.enum(['auto', 'official', 'generated']).default('auto'),
  /** Held-out share in test for generated folds (default from `setting`: 1 or 0.9). */
  ratio: z.number().min(0).max(1).optional(),
  /** Seed of generated folds (which 10% of a held-out cell stay in train for bias90). */
  foldSeed: z.number().int().default(0),
  /** Emotion groups held out in generated folds, one per source (default: anger+disgust, fear+happiness, sadness+surprise). */
  groups: z.array(z.array(z.enum(BASIC6)).min(1)).length(3).optional(),
});
export type MixbasicOptions = z.infer<typeof mixbasicOptions>;

/**
 * MixBasic in the official processed layout: `<root>/{CKPlus,MMI,OuluCASIA}/images/*.png`,
 * labels from `emotion_labels.pkl` (dict `<source lower-case>_<stem>` -> emotion) or
 * `emotion_labels.csv` (`key,emotion`), split by the official fold lists
 * `<root>/{train,test}_ids_<setting>v<fold>.csv` or by the generated held-out-pair rule.
 */
export function loadMixbasic(o: MixbasicOptions): Dataset {
  const root = requireDir(path.resolve(o.root), 'MixBasic root');
  const b = new DatasetBuilder('mixbasic', BASIC6);
  const labels = readLabels(root, o.labels);
  const map = new LabelMap(BASIC6, ['contempt', 'neutral']);
  const used = new Set<string>();
  const byKey = new Map<string, Sample>();
  for (const source of MIXBASIC_SOURCES) {
    const srcDir = findCaseInsensitive(root, source);
    if (!srcDir) throw new DataError(path.join(root, source), `MixBasic source folder not found (expected ${path.join(root, source, 'images')})`);
    const imgDir = requireDir(findCaseInsensitive(srcDir, 'images') ?? path.join(srcDir, 'images'), `${source} images folder`);
    const confounder = source.toLowerCase();
    for (const name of listDir(imgDir)) {
      if (!isImageFile(name)) {
        b.skip('not an image');
        continue;
      }
      const key = `${confounder}_${path.parse(name).name}`;
      const raw = labels.map.get(key);
      if (raw === undefined) {
        b.skip('no label');
        continue;
      }
      used.add(key);
      const r = map.map(raw, { file: `${labels.file} (key ${key})` });
      if ('skip' in r) {
        b.skip(r.skip);
        continue;
      }
      const s = fileSample(`mixbasic/${confounder}/${name}`, path.join(imgDir, name), r.emotion, { confounder });
      byKey.set(foldKey(source, name), s);
      b.add(s);
    }
  }
  const orphans = labels.map.size - used.size;
  if (orphans) b.problems.push(`${orphans} label(s) in ${labels.file} have no image under ${root}`);

  if (o.split === 'all') return b.build();
  const lists = ['train', 'test'].map((s) => path.join(root, `${s}_ids_${o.setting}v${o.fold}.csv`));
  const haveLists = lists.every((f) => existsSync(f));
  if (o.folds === 'official' && !haveLists) {
    throw new DataError(lists.find((f) => !existsSync(f))!, 'official fold list not found (folds: official)');
  }
  const all = b.samples.splice(0);
  if (haveLists && o.folds !== 'generated') {
    const file = lists[o.split === 'train' ? 0 : 1]!;
    const other = new Set(readFoldList(lists[o.split === 'train' ? 1 : 0]!).map((e) => e.key));
    const seen = new Set<string>();
    for (const e of readFoldList(file)) {
      const s = byKey.get(e.key);
      if (!s) throw new DataError(file, `listed image ${e.key} is not among the labelled images under ${root}`, e.line);
      if (seen.has(e.key)) {
        b.skip('duplicate fold-list line');
        continue;
      }
      if (other.has(e.key)) b.problems.push(`${e.key} is in both the train and test fold lists`);
      seen.add(e.key);
      b.add({ ...s, split: o.split });
    }
    return b.build();
  }
  const ratio = o.ratio ?? (o.setting === 'bias100' ? 1 : 0.9);
  const folds = makeFolds(all, {
    fold: o.fold,
    ratio,
    seed: o.foldSeed,
    emotions: BASIC6,
    sources: MIXBASIC_SOURCES.map((s) => s.toLowerCase()),
    ...(o.groups ? { groups: o.groups } : {}),
  });
  for (const s of folds[o.split]) b.add({ ...s, split: o.split });
  b.problems.push(
    `${o.folds === 'generated' ? 'generated folds requested' : `no official fold lists (${lists.join(', ')})`}: using the generated held-out-pair fold ${o.fold} ` +
      `(ratio ${ratio}, foldSeed ${o.foldSeed}); held out: ${folds.heldOutCells.map((c) => `${c.confounder}/${c.emotion}`).join(', ')}`,
  );
  return b.build();
}

function readLabels(root: string, which: 'auto' | 'pkl' | 'csv'): { file: string; map: Map<string, string> } {
  const pkl = path.join(root, 'emotion_labels.pkl');
  const csv = path.join(root, 'emotion_labels.csv');
  const usePkl = which === 'pkl' || (which === 'auto' && existsSync(pkl));
  const file = usePkl ? pkl : csv;
  if (!existsSync(file)) {
    throw new DataError(file, `label file not found (expected ${which === 'auto' ? `${pkl} or ${csv}` : file})`);
  }
  if (usePkl) return { file, map: readStringDictPickle(readFileSync(file), file) };
  const map = new Map<string, string>();
  parseCsv(readFileSync(file, 'utf8'), { file }).forEach((r, i) => {
    if (r.fields.length < 2) throw new DataError(file, 'expected key,emotion', r.line);
    if (i === 0 && r.fields[0]!.trim().toLowerCase() === 'key') return;
    map.set(r.fields[0]!.trim(), r.fields[1]!.trim());
  });
  return { file, map };
}

export const mixbasicEntry: RegistryEntry<Dataset, MixbasicOptions> = {
  type: 'mixbasic',
  package: '@iern/datasets',
  description: 'MixBasic (CK+ / MMI / Oulu-CASIA, official processed layout), official or generated held-out-pair folds',
  options: mixbasicOptions,
  build: (o) => loadMixbasic(o),
};
