import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { DataError, FACE_EMOTIONS, type Dataset, type RegistryEntry } from '@iern/core';
import { DatasetBuilder, requireDir, rootOption } from './common.js';
import { readTable } from '../formats/csv.js';
import { parseFerPixels } from '../formats/fer-pixels.js';
import { FER2013_USAGE, fer2013Columns } from './fer2013.js';

/** FER+ vote columns, by name, as in `fer2013new.csv`. */
export const FERPLUS_VOTES = ['neutral', 'happiness', 'surprise', 'sadness', 'anger', 'disgust', 'fear', 'contempt', 'unknown', 'NF'] as const;

export const ferplusOptions = z.strictObject({
  root: rootOption,
  split: z.enum(['train', 'val', 'test', 'all']).default('train'),
  /** FER2013 CSV that holds the pixels (rows align BY POSITION), relative to root. */
  fer2013: z.string().default('fer2013.csv'),
  /** Keep contempt as an 8th class (FER+ has it) or count and drop it. */
  contempt: z.enum(['keep', 'drop']).default('keep'),
});
export type FerplusOptions = z.infer<typeof ferplusOptions>;

/** The FER+ majority rule: drop single votes; the top class wins with > 50% of the rest; else undefined. */
export function ferplusMajority(votes: readonly number[]): number | undefined {
  const v = votes.map((x) => (x <= 1 ? 0 : x));
  const sum = v.reduce((a, b) => a + b, 0);
  if (sum <= 0) return undefined;
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return v[best]! > 0.5 * sum ? best : undefined;
}

/**
 * FER+: `fer2013new.csv` votes over fer2013.csv's pixels (same row order). Empty image
 * names (no face), no-majority rows, and unknown / NF winners are counted and skipped.
 */
export function loadFerplus(o: FerplusOptions): Dataset {
  const root = requireDir(path.resolve(o.root), 'FER+ root');
  const labelFile = path.join(root, 'fer2013new.csv');
  if (!existsSync(labelFile)) throw new DataError(labelFile, `FER+ label file not found (expected ${labelFile})`);
  const pixFile = path.resolve(root, o.fer2013);
  if (!existsSync(pixFile)) throw new DataError(pixFile, `fer2013.csv (the pixels FER+ labels) not found (expected ${pixFile})`);
  const labels = readTable(labelFile);
  const pixels = readTable(pixFile);
  if (labels.records.length !== pixels.records.length) {
    throw new DataError(labelFile, `has ${labels.records.length} rows but ${pixFile} has ${pixels.records.length}; FER+ aligns with fer2013.csv by position`);
  }
  const classes = o.contempt === 'keep' ? [...FACE_EMOTIONS] : FACE_EMOTIONS.filter((c) => c !== 'contempt');
  const b = new DatasetBuilder('ferplus', classes);
  const usageCol = labels.require('Usage');
  const nameCol = labels.require('Image name');
  const voteCols = FERPLUS_VOTES.map((v) => labels.require(v));
  const pc = fer2013Columns(pixels);
  const names = new Map<string, number>();
  let usageMismatch = 0;
  labels.records.forEach((r, i) => {
    const usage = r.fields[usageCol]?.trim() ?? '';
    const split = FER2013_USAGE[usage.toLowerCase()];
    if (!split) throw new DataError(labelFile, `unknown Usage '${usage}'`, r.line);
    if (o.split !== 'all' && split !== o.split) return;
    const pr = pixels.records[i]!;
    if (pc.usage >= 0 && (pr.fields[pc.usage]?.trim() ?? '').toLowerCase() !== usage.toLowerCase()) usageMismatch++;
    const name = r.fields[nameCol]?.trim() ?? '';
    if (!name) return b.skip('no image name (no face)');
    names.set(name, (names.get(name) ?? 0) + 1);
    const votes = voteCols.map((c) => {
      const v = Number(r.fields[c]);
      if (!Number.isFinite(v) || v < 0) throw new DataError(labelFile, `vote '${r.fields[c]}' in column ${FERPLUS_VOTES[voteCols.indexOf(c)]} is not a count`, r.line);
      return v;
    });
    const win = ferplusMajority(votes);
    if (win === undefined) return b.skip('no majority');
    const label = FERPLUS_VOTES[win]!;
    if (label === 'unknown') return b.skip('unknown');
    if (label === 'NF') return b.skip('no-face');
    if (label === 'contempt' && o.contempt === 'drop') return b.skip('contempt');
    const data = parseFerPixels(pr.fields[pc.pixels] ?? '', pixFile, pr.line);
    b.add({ id: `ferplus/${i}`, image: { kind: 'pixels', width: 48, height: 48, channels: 1, data }, emotion: label, split });
  });
  const repeats = [...names.values()].filter((n) => n > 1).length;
  if (repeats) b.problems.push(`${repeats} image name(s) repeat in ${labelFile}; samples are identified by row, so each row is kept`);
  if (usageMismatch) b.problems.push(`${usageMismatch} row(s) have a different Usage in ${labelFile} and ${pixFile}; the FER+ Usage is used`);
  return b.build();
}

export const ferplusEntry: RegistryEntry<Dataset, FerplusOptions> = {
  type: 'ferplus',
  package: '@iern/datasets',
  description: 'FER+ majority labels over FER2013 pixels (aligned by row)',
  options: ferplusOptions,
  build: (o) => loadFerplus(o),
};
