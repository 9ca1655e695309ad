import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { DataError, type Dataset, type RegistryEntry } from '@iern/core';
import { DatasetBuilder, boxFromLtrb, fileSample, findCaseInsensitive, holdoutOptions, requireFile, rootOption, requireDir } from './common.js';
import { LabelMap, codeToName } from '../formats/labels.js';
import { FER2013_CLASSES, FER2013_CODES } from './fer2013.js';

export const expwOptions = z.strictObject({
  root: rootOption,
  ...holdoutOptions,
  /** Faces below this detector confidence are counted and skipped. */
  minConfidence: z.number().default(-Infinity),
});
export type ExpwOptions = z.infer<typeof expwOptions>;

/**
 * ExpW: `label/label.lst` lines `image_name face_id top left right bottom confidence expression`
 * (codes as FER2013); images `image/origin/*.jpg`; several faces per image (cropped by box).
 * Repeated lines are removed and counted; a repeated (image, face) with other values keeps the first.
 */
export function loadExpw(o: ExpwOptions): Dataset {
  const root = requireDir(path.resolve(o.root), 'ExpW root');
  const file = requireFile(path.join(findCaseInsensitive(root, 'label') ?? path.join(root, 'label'), 'label.lst'), 'ExpW label list');
  const imgDir = path.join(root, 'image', 'origin');
  const map = new LabelMap(FER2013_CLASSES);
  const b = new DatasetBuilder('expw', FER2013_CLASSES);
  const seenLines = new Set<string>();
  const seenFaces = new Set<string>();
  readFileSync(file, 'utf8').split(/\r?\n/).forEach((text, i) => {
    const line = i + 1;
    const parts = text.trim().split(/\s+/);
    if (!text.trim()) return;
    if (parts.length !== 8) throw new DataError(file, `expected 8 fields 'image face_id top left right bottom confidence expression', got ${parts.length}`, line);
    const norm = parts.join(' ');
    if (seenLines.has(norm)) return b.skip('duplicate line');
    seenLines.add(norm);
    const [name, faceId, top, left, right, bottom, conf, code] = parts as [string, string, string, string, string, string, string, string];
    const faceKey = `${name}#${faceId}`;
    if (seenFaces.has(faceKey)) return b.skip('conflicting duplicate face');
    seenFaces.add(faceKey);
    const nums = [top, left, right, bottom, conf].map(Number);
    if (nums.some((v) => !Number.isFinite(v))) throw new DataError(file, 'box and confidence must be numbers', line);
    if (nums[4]! < o.minConfidence) return b.skip('low confidence');
    const r = map.map(codeToName(FER2013_CODES, code, { file, line }), { file, line });
    if ('skip' in r) return b.skip(r.skip);
    const box = boxFromLtrb(nums[1]!, nums[0]!, nums[2]!, nums[3]!);
    if (!box) return b.skip('empty face box');
    b.add(fileSample(`expw/${name}#${faceId}`, path.join(imgDir, name), r.emotion, { box }), name);
  });
  b.holdout(o);
  return b.build();
}

export const expwEntry: RegistryEntry<Dataset, ExpwOptions> = {
  type: 'expw',
  package: '@iern/datasets',
  description: 'ExpW: face-box crops from label.lst, duplicates removed and counted',
  options: expwOptions,
  build: (o) => loadExpw(o),
};
