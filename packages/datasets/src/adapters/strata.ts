import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { DataError } from '@iern/core';
import { parseCsv } from '../formats/csv.js';
import { readStringDictPickle } from '../formats/pickle.js';
import { requireFile, type DatasetBuilder } from './common.js';

/** Option of the image-emotion adapters: a user file mapping image -> scene label (the confounder). */
export const strataOption = {
  /**
   * CSV `image,scene` (header optional) or a pickled dict (`scene_labels.pkl`), relative to
   * `root`; image = path relative to the image folder, the file name, or `<folder>_<stem>`.
   */
  strata: z.string().optional(),
};

/**
 * Sets each sample's confounder from a strata file. Images the file does not name keep no
 * confounder and are reported as a problem (the strategies treat them as unknown).
 */
export function applyStrata(b: DatasetBuilder, file: string | undefined, root: string, imageRoot = root): void {
  if (!file) return;
  const f = requireFile(path.resolve(root, file), 'scene strata file');
  const byKey = new Map<string, string>();
  if (f.endsWith('.pkl')) for (const [k, v] of readStringDictPickle(readFileSync(f), f)) byKey.set(k, v);
  else parseCsv(readFileSync(f, 'utf8'), { file: f }).forEach((r, i) => {
    if (r.fields.length < 2) throw new DataError(f, 'expected image,scene', r.line);
    const [img, scene] = [r.fields[0]!.trim().replace(/\\/g, '/'), r.fields[1]!.trim()];
    if (i === 0 && /^(image|path|file(name)?)$/i.test(img)) return;
    if (!scene) throw new DataError(f, `empty scene label for ${img}`, r.line);
    byKey.set(img, scene);
  });
  let missing = 0;
  for (const s of b.samples) {
    if (s.image.kind !== 'file') continue;
    const rel = path.relative(imageRoot, s.image.path).split(path.sep).join('/');
    // keys: relative path, file name, or the official pickles' `<folder>_<stem>`
    const scene = byKey.get(rel) ?? byKey.get(path.basename(rel)) ?? byKey.get(rel.replace(/\.[^./]+$/, '').replace(/\//g, '_'));
    if (scene === undefined) missing++;
    else s.confounder = scene;
  }
  if (missing) b.problems.push(`${missing} image(s) have no scene label in ${f} (confounder unknown)`);
}
