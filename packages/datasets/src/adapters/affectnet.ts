import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { DataError, FACE_EMOTIONS, type Dataset, type RegistryEntry } from '@iern/core';
import { DatasetBuilder, fileSample, findCaseInsensitive, isImageFile, listDir, requireDir, resolveImagePath, rootOption } from './common.js';
import { parseCsv } from '../formats/csv.js';
import { readNpy } from '../formats/npy.js';
import { LabelMap, codeToName } from '../formats/labels.js';

/** AffectNet expression codes as documented (8-10 are not emotions). */
export const AFFECTNET_CODES: Record<number, string> = {
  0: 'Neutral', 1: 'Happy', 2: 'Sad', 3: 'Surprise', 4: 'Fear', 5: 'Disgust', 6: 'Anger', 7: 'Contempt', 8: 'None', 9: 'Uncertain', 10: 'No-Face',
};
/** Column order of the file lists (used when a copy has no header). */
export const AFFECTNET_COLUMNS = ['subDirectory_filePath', 'face_x', 'face_y', 'face_width', 'face_height', 'facial_landmarks', 'expression', 'valence', 'arousal'];

export const affectnetOptions = z.strictObject({
  root: rootOption,
  /** train = training.csv / train_set; val and test = validation.csv / val_set (the test set is not public). */
  split: z.enum(['train', 'val', 'test']).default('train'),
  /** `csv`: Manually_Annotated_file_lists + face boxes; `npy`: train_set/val_set with annotations/<id>_exp.npy. */
  release: z.enum(['auto', 'csv', 'npy']).default('auto'),
  /** Image folder of the csv release, relative to root. */
  images: z.string().default('Manually_Annotated_Images'),
  contempt: z.enum(['keep', 'drop']).default('keep'),
});
export type AffectnetOptions = z.infer<typeof affectnetOptions>;

const SKIPS = ['none', 'uncertain', 'no-face'];

export function loadAffectnet(o: AffectnetOptions): Dataset {
  const root = requireDir(path.resolve(o.root), 'AffectNet root');
  const classes = o.contempt === 'keep' ? [...FACE_EMOTIONS] : FACE_EMOTIONS.filter((c) => c !== 'contempt');
  const map = new LabelMap(classes, o.contempt === 'drop' ? [...SKIPS, 'contempt'] : SKIPS);
  const b = new DatasetBuilder('affectnet', classes);
  const lists = findCaseInsensitive(root, 'Manually_Annotated_file_lists');
  const release = o.release === 'auto' ? (lists ? 'csv' : 'npy') : o.release;
  const split = o.split;
  if (release === 'csv') {
    const file = path.join(lists ?? path.join(root, 'Manually_Annotated_file_lists'), split === 'train' ? 'training.csv' : 'validation.csv');
    if (!existsSync(file)) throw new DataError(file, `AffectNet file list not found (expected ${file})`);
    const records = parseCsv(readFileSync(file, 'utf8'), { file });
    const hasHeader = records[0]?.fields[0]?.trim() === 'subDirectory_filePath';
    const header = hasHeader ? records[0]!.fields.map((h) => h.trim()) : AFFECTNET_COLUMNS;
    const col = (n: string) => {
      const i = header.indexOf(n);
      if (i < 0) throw new DataError(file, `missing column '${n}'`, 1);
      return i;
    };
    const [cp, cx, cy, cw, ch, ce] = ['subDirectory_filePath', 'face_x', 'face_y', 'face_width', 'face_height', 'expression'].map(col) as number[];
    const imgRoot = path.resolve(root, o.images);
    const listings = new Map<string, Map<string, string>>();
    for (const r of records.slice(hasHeader ? 1 : 0)) {
      const where = { file, line: r.line };
      const res = map.map(codeToName(AFFECTNET_CODES, r.fields[ce!] ?? '', where), where);
      if ('skip' in res) {
        b.skip(res.skip);
        continue;
      }
      const rel = (r.fields[cp!] ?? '').trim();
      const box = [cx, cy, cw, ch].map((c) => Number(r.fields[c!]));
      if (!rel || box.some((v) => !Number.isFinite(v))) throw new DataError(file, 'expected a path and a numeric face box', r.line);
      const [x, y, width, height] = box as [number, number, number, number];
      b.add(fileSample(`affectnet/${rel}`, resolveImagePath(path.join(imgRoot, rel), listings), res.emotion, { split, ...(width > 0 && height > 0 ? { box: { x, y, width, height } } : {}) }));
    }
    return b.build();
  }
  const setDir = requireDir(findCaseInsensitive(root, split === 'train' ? 'train_set' : 'val_set') ?? path.join(root, split === 'train' ? 'train_set' : 'val_set'), 'AffectNet set folder');
  const imgDir = requireDir(path.join(setDir, 'images'), 'AffectNet images folder');
  const annDir = requireDir(path.join(setDir, 'annotations'), 'AffectNet annotations folder');
  for (const f of listDir(imgDir)) {
    if (!isImageFile(f)) {
      b.skip('not an image');
      continue;
    }
    const id = path.parse(f).name;
    const ann = path.join(annDir, `${id}_exp.npy`);
    if (!existsSync(ann)) {
      b.skip('no annotation');
      continue;
    }
    const v = readNpy(readFileSync(ann), ann).values[0];
    if (v === undefined) throw new DataError(ann, 'empty expression array');
    const res = map.map(codeToName(AFFECTNET_CODES, String(v), { file: ann }), { file: ann });
    if ('skip' in res) {
      b.skip(res.skip);
      continue;
    }
    b.add(fileSample(`affectnet/${split}/${id}`, path.join(imgDir, f), res.emotion, { split }));
  }
  return b.build();
}

export const affectnetEntry: RegistryEntry<Dataset, AffectnetOptions> = {
  type: 'affectnet',
  package: '@iern/datasets',
  description: 'AffectNet (file-list release with face boxes, or the npy-annotation release); listed extensions resolved against the files',
  options: affectnetOptions,
  build: (o) => loadAffectnet(o),
};
