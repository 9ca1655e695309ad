import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { DataError, SENTIMENT, type Dataset, type RegistryEntry } from '@iern/core';
import { DatasetBuilder, fileSample, findCaseInsensitive, holdoutOptions, requireDir, requireFile, rootOption } from './common.js';
import { applyStrata, strataOption } from './strata.js';

export const twitter1Options = z.strictObject({
  root: rootOption,
  ...holdoutOptions,
  ...strataOption,
  /** Which agreement subset: `twitter_<agree>_agrees.txt`. */
  agree: z.enum(['five', 'four', 'three']).default('five'),
  /** Image folder relative to root (files are looked up in root too). */
  images: z.string().default('images'),
});
export type Twitter1Options = z.infer<typeof twitter1Options>;

/** Twitter I: `twitter_{five,four,three}_agrees.txt`, lines `<file> <0|1>` (0 negative, 1 positive). */
export function loadTwitter1(o: Twitter1Options): Dataset {
  const root = requireDir(path.resolve(o.root), 'Twitter I root');
  const file = requireFile(path.join(root, `twitter_${o.agree}_agrees.txt`), 'Twitter I label list');
  const imgDir = findCaseInsensitive(root, o.images) ?? root;
  const b = new DatasetBuilder('twitter1', SENTIMENT);
  readFileSync(file, 'utf8').split(/\r?\n/).forEach((text, i) => {
    const parts = text.trim().split(/\s+/);
    if (!text.trim()) return;
    if (parts.length !== 2 || (parts[1] !== '0' && parts[1] !== '1')) throw new DataError(file, `expected '<file> <0|1>', got '${text.trim()}'`, i + 1);
    b.add(fileSample(`twitter1/${parts[0]}`, path.join(imgDir, parts[0]!), parts[1] === '1' ? 'positive' : 'negative'));
  });
  applyStrata(b, o.strata, root, imgDir);
  b.holdout(o);
  return b.build();
}

export const twitter1Entry: RegistryEntry<Dataset, Twitter1Options> = {
  type: 'twitter1',
  package: '@iern/datasets',
  description: 'Twitter I sentiment (five/four/three-agree subsets)',
  options: twitter1Options,
  build: (o) => loadTwitter1(o),
};
