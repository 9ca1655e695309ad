import * as path from 'node:path';
import { z } from 'zod';
import { FACE_EMOTIONS, MIKELS, SENTIMENT, type Dataset, type RegistryEntry } from '@iern/core';
import { DatasetBuilder, fileSample, holdoutOptions, isImageFile, listDir, requireDir, rootOption, subDirs } from './common.js';
import { LabelMap, canonicalIn, normaliseLabel } from '../formats/labels.js';

export const folderOptions = z.strictObject({
  root: rootOption,
  ...holdoutOptions,
  /** `root/<confounder>/<class>/*` instead of `root/<class>/*`. */
  confounderLevel: z.boolean().default(false),
  /** Class list; folder names are mapped to it by name (others are an error unless in `skip`). Default: every folder. */
  classes: z.array(z.string()).optional(),
  /** Folder names to count and skip (e.g. `contempt`, `unknown`). */
  skip: z.array(z.string()).default([]),
  /** Name shown in reports. */
  name: z.string().default('folder'),
});
export type FolderOptions = z.infer<typeof folderOptions>;

const KNOWN = [...FACE_EMOTIONS, ...MIKELS, ...SENTIMENT];

/** Generic class folders, optionally under a confounder level. Names map to canonical emotions where known. */
export function loadFolder(o: FolderOptions): Dataset {
  const root = requireDir(path.resolve(o.root), 'dataset root');
  const levels: [string | undefined, string][] = o.confounderLevel ? subDirs(root).map((c) => [c, path.join(root, c)]) : [[undefined, root]];
  const found = new Set<string>();
  const items: { file: string; cls: string; confounder?: string; rel: string }[] = [];
  for (const [confounder, dir] of levels) {
    for (const cls of subDirs(dir)) {
      for (const f of listDir(path.join(dir, cls))) {
        if (!isImageFile(f)) continue;
        found.add(cls);
        items.push({ file: path.join(dir, cls, f), cls, confounder, rel: path.relative(root, path.join(dir, cls, f)).split(path.sep).join('/') });
      }
    }
  }
  const classes = o.classes ?? [...new Set([...found].filter((c) => !o.skip.map(normaliseLabel).includes(normaliseLabel(c))).map((c) => canonicalIn(c, KNOWN) ?? normaliseLabel(c)))].sort();
  const map = new LabelMap(classes, o.skip);
  const b = new DatasetBuilder(o.name, classes);
  for (const it of items) {
    const r = map.map(it.cls, { file: path.dirname(it.file) });
    if ('skip' in r) b.skip(r.skip);
    else b.add(fileSample(`${o.name}/${it.rel}`, it.file, r.emotion, it.confounder !== undefined ? { confounder: it.confounder } : {}));
  }
  b.holdout(o);
  return b.build();
}

export const folderEntry: RegistryEntry<Dataset, FolderOptions> = {
  type: 'folder',
  package: '@iern/datasets',
  description: 'Generic class folders root/<class>/* (optionally root/<confounder>/<class>/*)',
  options: folderOptions,
  build: (o) => loadFolder(o),
};
