import * as path from 'node:path';
import { z } from 'zod';
import { DataError, MIKELS, type Dataset, type RegistryEntry } from '@iern/core';
import { DatasetBuilder, fileSample, findCaseInsensitive, holdoutOptions, requireDir, requireFile, rootOption } from './common.js';
import { readTable } from '../formats/csv.js';
import { canonicalIn } from '../formats/labels.js';
import { applyStrata, strataOption } from './strata.js';
import { asSentiment, labelsOption } from './sentiment.js';

export const abstractOptions = z.strictObject({
  root: rootOption,
  ...holdoutOptions,
  ...strataOption,
  ...labelsOption,
  /** Image folder relative to root (the release ships `testImages_abstract`). */
  images: z.string().default('testImages_abstract'),
});
export type AbstractOptions = z.infer<typeof abstractOptions>;

/**
 * Abstract paintings: `ABSTRACT_groundTruth.csv`, fields in single quotes, an empty first
 * header field, 8 vote counts per image (`Content`, `Sad` spellings). Label = argmax of the
 * votes; ties and images without votes are counted and skipped.
 */
export function loadAbstract(o: AbstractOptions): Dataset {
  const root = requireDir(path.resolve(o.root), 'Abstract root');
  const file = requireFile(findCaseInsensitive(root, 'ABSTRACT_groundTruth.csv') ?? path.join(root, 'ABSTRACT_groundTruth.csv'), 'Abstract ground truth');
  const imgDir = findCaseInsensitive(root, o.images) ?? root;
  const t = readTable(file, { quote: "'" });
  const classCols = t.header.map((h, i) => ({ i, name: canonicalIn(h, MIKELS) })).filter((c) => c.name);
  if (classCols.length !== 8) throw new DataError(file, `expected 8 Mikels class columns, found ${classCols.map((c) => c.name).join(', ')}`, 1);
  const b = new DatasetBuilder('abstract', MIKELS);
  for (const r of t.records) {
    const name = r.fields[0]!.trim();
    const votes = classCols.map((c) => Number(r.fields[c.i]));
    if (!name || votes.some((v) => !Number.isFinite(v))) throw new DataError(file, 'expected an image name and 8 vote counts', r.line);
    const max = Math.max(...votes);
    if (max <= 0) b.skip('no votes');
    else if (votes.filter((v) => v === max).length > 1) b.skip('argmax tie');
    else b.add(fileSample(`abstract/${name}`, path.join(imgDir, name), classCols[votes.indexOf(max)]!.name!));
  }
  applyStrata(b, o.strata, root, imgDir);
  b.holdout(o);
  return o.labels === 'sentiment' ? asSentiment(b.build()) : b.build();
}

export const abstractEntry: RegistryEntry<Dataset, AbstractOptions> = {
  type: 'abstract',
  package: '@iern/datasets',
  description: 'Abstract paintings (argmax of votes, ties dropped and counted)',
  options: abstractOptions,
  build: (o) => loadAbstract(o),
};
