import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { MIKELS, type Dataset, type RegistryEntry } from '@iern/core';
import { DatasetBuilder, fileSample, findCaseInsensitive, holdoutOptions, isImageFile, listDir, requireDir, rootOption, subDirs } from './common.js';
import { LabelMap } from '../formats/labels.js';
import { applyStrata, strataOption } from './strata.js';
import { asSentiment, labelsOption } from './sentiment.js';

export const fiOptions = z.strictObject({
  root: rootOption,
  ...holdoutOptions,
  ...strataOption,
  ...labelsOption,
  /** Identical files seen this many times or more are placeholders ("photo unavailable") and are skipped. */
  placeholderCopies: z.number().int().min(2).default(5),
});
export type FiOptions = z.infer<typeof fiOptions>;

/**
 * FI (Flickr & Instagram): `emotion_dataset/<class>/*.jpg`, 8 Mikels classes. Some files are
 * placeholders the sites served for deleted photos: empty files and byte-identical copies
 * (>= `placeholderCopies`) are counted and skipped.
 */
export function loadFi(o: FiOptions): Dataset {
  const given = requireDir(path.resolve(o.root), 'FI root');
  const root = findCaseInsensitive(given, 'emotion_dataset') ?? given;
  const map = new LabelMap(MIKELS);
  const b = new DatasetBuilder('fi', MIKELS);
  const files: { path: string; size: number; emotion: string; cls: string; name: string }[] = [];
  for (const cls of subDirs(root)) {
    const r = map.map(cls, { file: path.join(root, cls) });
    if ('skip' in r) continue;
    for (const f of listDir(path.join(root, cls))) {
      if (!isImageFile(f)) {
        b.skip('not an image');
        continue;
      }
      const p = path.join(root, cls, f);
      files.push({ path: p, size: statSync(p).size, emotion: r.emotion, cls, name: f });
    }
  }
  const placeholders = findPlaceholders(files, o.placeholderCopies);
  for (const f of files) {
    if (f.size === 0) b.skip('empty file');
    else if (placeholders.has(f.path)) b.skip('placeholder');
    else b.add(fileSample(`fi/${f.cls}/${f.name}`, f.path, f.emotion));
  }
  applyStrata(b, o.strata, given, root);
  b.holdout(o);
  return o.labels === 'sentiment' ? asSentiment(b.build()) : b.build();
}

/** Paths of files whose exact bytes occur `copies` or more times (only same-size files are hashed). */
export function findPlaceholders(files: { path: string; size: number }[], copies: number): Set<string> {
  const bySize = new Map<number, string[]>();
  for (const f of files) if (f.size > 0) (bySize.get(f.size) ?? bySize.set(f.size, []).get(f.size)!).push(f.path);
  const out = new Set<string>();
  for (const group of bySize.values()) {
    if (group.length < copies) continue;
    const byHash = new Map<string, string[]>();
    for (const p of group) {
      const h = createHash('sha1').update(readFileSync(p)).digest('hex');
      (byHash.get(h) ?? byHash.set(h, []).get(h)!).push(p);
    }
    for (const same of byHash.values()) if (same.length >= copies) same.forEach((p) => out.add(p));
  }
  return out;
}

export const fiEntry: RegistryEntry<Dataset, FiOptions> = {
  type: 'fi',
  package: '@iern/datasets',
  description: 'FI image emotion (8 Mikels class folders), placeholders skipped',
  options: fiOptions,
  build: (o) => loadFi(o),
};
