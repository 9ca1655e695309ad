import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { DataError, FACE_EMOTIONS, MIKELS, SENTIMENT, type Box, type Dataset, type RegistryEntry } from '@iern/core';
import { DatasetBuilder, fileSample, holdoutOptions, requireDir, resolveFrom, rootOption } from './common.js';
import { parseCsv } from '../formats/csv.js';
import { LabelMap, canonicalIn, normaliseLabel } from '../formats/labels.js';

export const manifestOptions = z.strictObject({
  root: rootOption,
  split: z.enum(['all', 'train', 'val', 'test']).default('all'),
  testFraction: holdoutOptions.testFraction,
  splitSeed: holdoutOptions.splitSeed,
  /** Manifest file, relative to root (default: manifest.csv, manifest.jsonl). */
  file: z.string().optional(),
  classes: z.array(z.string()).optional(),
  skip: z.array(z.string()).default([]),
  name: z.string().default('manifest'),
});
export type ManifestOptions = z.infer<typeof manifestOptions>;

interface Row {
  line: number;
  path: string;
  label: string;
  confounder?: string;
  split?: string;
  box?: Box;
}

/**
 * A CSV (header: `path,label[,confounder][,split][,x,y,width,height]`) or JSONL (`{"path",
 * "label", "confounder"?, "split"?, "box"?: {x,y,width,height}}`) manifest. Paths are relative
 * to root. With no split column, `split` other than `all` takes a generated held-out share.
 */
export function loadManifest(o: ManifestOptions): Dataset {
  const root = requireDir(path.resolve(o.root), 'manifest root');
  const file = o.file ? resolveFrom(root, o.file) : ['manifest.csv', 'manifest.jsonl'].map((f) => path.join(root, f)).find((f) => existsSync(f)) ?? path.join(root, 'manifest.csv');
  if (!existsSync(file)) throw new DataError(file, `manifest not found (expected ${o.file ? file : `${path.join(root, 'manifest.csv')} or manifest.jsonl`})`);
  const rows = file.endsWith('.jsonl') || file.endsWith('.ndjson') ? readJsonl(file) : readCsvManifest(file);
  const known = [...FACE_EMOTIONS, ...MIKELS, ...SENTIMENT];
  const skips = o.skip.map(normaliseLabel);
  const classes = o.classes ?? [...new Set(rows.map((r) => r.label).filter((l) => !skips.includes(normaliseLabel(l))).map((l) => canonicalIn(l, known) ?? normaliseLabel(l)))].sort();
  const map = new LabelMap(classes, o.skip);
  const b = new DatasetBuilder(o.name, classes);
  const hasSplit = rows.some((r) => r.split);
  for (const r of rows) {
    const res = map.map(r.label, { file, line: r.line });
    if ('skip' in res) {
      b.skip(res.skip);
      continue;
    }
    const extra = { ...(r.confounder ? { confounder: r.confounder } : {}), ...(r.split ? { split: r.split } : {}), ...(r.box ? { box: r.box } : {}) };
    b.add(fileSample(`${o.name}/${r.path}`, resolveFrom(root, r.path), res.emotion, extra));
  }
  if (hasSplit) b.keepSplit(o.split);
  else b.holdout({ ...o, split: o.split === 'val' ? 'test' : o.split });
  return b.build();
}

function readCsvManifest(file: string): Row[] {
  const recs = parseCsv(readFileSync(file, 'utf8'), { file });
  const header = (recs[0]?.fields ?? []).map((h) => h.trim().toLowerCase());
  const col = (...names: string[]) => header.findIndex((h) => names.includes(h));
  const cp = col('path', 'file', 'image');
  const cl = col('label', 'emotion', 'class');
  if (cp < 0 || cl < 0) throw new DataError(file, `header must name a path and a label column, got '${header.join(',')}'`, 1);
  const [cc, cs, cx, cy, cw, ch] = [col('confounder', 'source', 'scene'), col('split'), col('x'), col('y'), col('width', 'w'), col('height', 'h')];
  return recs.slice(1).map((r) => {
    const get = (i: number) => (i >= 0 ? (r.fields[i] ?? '').trim() : '');
    const box = cx >= 0 && get(cx) !== '' ? parseBox([get(cx), get(cy), get(cw), get(ch)], file, r.line) : undefined;
    if (!get(cp)) throw new DataError(file, 'empty path', r.line);
    return { line: r.line, path: get(cp), label: get(cl), confounder: get(cc) || undefined, split: get(cs) || undefined, box };
  });
}

function readJsonl(file: string): Row[] {
  const out: Row[] = [];
  readFileSync(file, 'utf8').split(/\r?\n/).forEach((text, i) => {
    if (!text.trim()) return;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(text);
    } catch (e) {
      throw new DataError(file, `invalid JSON: ${(e as Error).message}`, i + 1);
    }
    const p = o['path'] ?? o['file'] ?? o['image'];
    const label = o['label'] ?? o['emotion'];
    if (typeof p !== 'string' || typeof label !== 'string') throw new DataError(file, 'each line needs string "path" and "label"', i + 1);
    const b = o['box'] as Record<string, unknown> | undefined;
    const box = b ? parseBox([b['x'], b['y'], b['width'], b['height']], file, i + 1) : undefined;
    const conf = o['confounder'] ?? o['source'] ?? o['scene'];
    out.push({ line: i + 1, path: p, label, confounder: conf != null ? String(conf) : undefined, split: typeof o['split'] === 'string' ? o['split'] : undefined, box });
  });
  return out;
}

function parseBox(v: unknown[], file: string, line: number): Box {
  const n = v.map(Number);
  if (n.some((x) => !Number.isFinite(x)) || n[2]! <= 0 || n[3]! <= 0) throw new DataError(file, `bad face box ${JSON.stringify(v)} (need numeric x, y and positive width, height)`, line);
  return { x: n[0]!, y: n[1]!, width: n[2]!, height: n[3]! };
}

export const manifestEntry: RegistryEntry<Dataset, ManifestOptions> = {
  type: 'manifest',
  package: '@iern/datasets',
  description: 'CSV or JSONL manifest: path, label, optional confounder, split, face box',
  options: manifestOptions,
  build: (o) => loadManifest(o),
};
