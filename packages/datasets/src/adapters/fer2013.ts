import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { DataError, type Dataset, type RegistryEntry } from '@iern/core';
import { DatasetBuilder, fileSample, findCaseInsensitive, isImageFile, listDir, requireDir, rootOption, subDirs } from './common.js';
import { readTable, type Table } from '../formats/csv.js';
import { LabelMap, codeToName } from '../formats/labels.js';
import { parseFerPixels } from '../formats/fer-pixels.js';

/** FER2013 codes as documented: 0 Angry .. 6 Neutral. */
export const FER2013_CODES: Record<number, string> = { 0: 'Angry', 1: 'Disgust', 2: 'Fear', 3: 'Happy', 4: 'Sad', 5: 'Surprise', 6: 'Neutral' };
export const FER2013_CLASSES = ['anger', 'disgust', 'fear', 'happiness', 'sadness', 'surprise', 'neutral'] as const;
/** `Usage` value -> split. */
export const FER2013_USAGE: Record<string, 'train' | 'val' | 'test'> = { training: 'train', publictest: 'val', privatetest: 'test' };

export const fer2013Options = z.strictObject({
  root: rootOption,
  /** train = Training, val = PublicTest, test = PrivateTest (folder copies: train / test). */
  split: z.enum(['train', 'val', 'test', 'all']).default('train'),
  /** Which copy: `fer2013.csv`, `icml_face_data.csv`, Kaggle `train.csv`+`test.csv`, or `train|test/<class>/` folders. */
  variant: z.enum(['auto', 'csv', 'icml', 'kaggle', 'folder']).default('auto'),
  /** A CSV file to read instead of the variant's default name (relative to root). */
  file: z.string().optional(),
});
export type Fer2013Options = z.infer<typeof fer2013Options>;

const VARIANT_FILES = { csv: 'fer2013.csv', icml: 'icml_face_data.csv', kaggle: 'train.csv' } as const;

/** Picks the variant present in root; an error listing what was looked for. */
export function detectFer2013Variant(root: string): 'csv' | 'icml' | 'kaggle' | 'folder' {
  for (const v of ['csv', 'icml', 'kaggle'] as const) if (existsSync(path.join(root, VARIANT_FILES[v]))) return v;
  if (findCaseInsensitive(root, 'train')) return 'folder';
  throw new DataError(root, `no FER2013 copy found (expected ${Object.values(VARIANT_FILES).map((f) => path.join(root, f)).join(', ')} or ${path.join(root, 'train/<class>/')})`);
}

/** The pixel and label columns of a FER2013-style table (header names trimmed: `' pixels'`). */
export function fer2013Columns(t: Table): { emotion: number; pixels: number; usage: number } {
  return { emotion: t.column('emotion'), pixels: t.require('pixels'), usage: t.column('usage') };
}

export function loadFer2013(o: Fer2013Options): Dataset {
  const root = requireDir(path.resolve(o.root), 'FER2013 root');
  const variant = o.variant === 'auto' ? (o.file ? 'csv' : detectFer2013Variant(root)) : o.variant;
  const b = new DatasetBuilder('fer2013', FER2013_CLASSES);
  const map = new LabelMap(FER2013_CLASSES);
  if (variant === 'folder') {
    if (o.split === 'val') throw new DataError(root, 'the folder copy of FER2013 has only train/ and test/ (no PublicTest/val split)');
    for (const split of o.split === 'all' ? ['train', 'test'] : [o.split]) {
      const dir = requireDir(findCaseInsensitive(root, split) ?? path.join(root, split), `FER2013 ${split} folder`);
      for (const cls of subDirs(dir)) {
        const r = map.map(cls, { file: path.join(dir, cls) });
        if ('skip' in r) continue;
        for (const f of listDir(path.join(dir, cls))) {
          if (!isImageFile(f)) b.skip('not an image');
          else b.add(fileSample(`fer2013/${split}/${cls}/${f}`, path.join(dir, cls, f), r.emotion, { split }));
        }
      }
    }
    return b.build();
  }
  const file = path.resolve(root, o.file ?? VARIANT_FILES[variant]);
  if (!existsSync(file)) throw new DataError(file, `FER2013 ${variant} file not found (expected ${file})`);
  if (variant === 'kaggle' && o.split !== 'train') {
    throw new DataError(path.join(root, 'test.csv'), `the Kaggle train.csv/test.csv copy has labels only for Training (test.csv is unlabelled); use fer2013.csv or icml_face_data.csv for split '${o.split}'`);
  }
  const t = readTable(file);
  const col = fer2013Columns(t);
  if (col.emotion < 0) throw new DataError(file, `missing column 'emotion' (header: ${t.header.join(', ')}); an unlabelled file cannot be used`, 1);
  t.records.forEach((r, i) => {
    const usage = col.usage >= 0 ? r.fields[col.usage]?.trim() ?? '' : 'Training';
    const split = FER2013_USAGE[usage.toLowerCase()];
    if (!split) throw new DataError(file, `unknown Usage '${usage}' (expected Training, PublicTest, PrivateTest)`, r.line);
    if (o.split !== 'all' && split !== o.split) return;
    const res = map.map(codeToName(FER2013_CODES, r.fields[col.emotion] ?? '', { file, line: r.line }), { file, line: r.line });
    if ('skip' in res) return b.skip(res.skip);
    const data = parseFerPixels(r.fields[col.pixels] ?? '', file, r.line);
    b.add({ id: `fer2013/${i}`, image: { kind: 'pixels', width: 48, height: 48, channels: 1, data }, emotion: res.emotion, split });
  });
  return b.build();
}

export const fer2013Entry: RegistryEntry<Dataset, Fer2013Options> = {
  type: 'fer2013',
  package: '@iern/datasets',
  description: 'FER2013 (fer2013.csv, icml_face_data.csv, Kaggle train.csv, or class folders)',
  options: fer2013Options,
  build: (o) => loadFer2013(o),
};
