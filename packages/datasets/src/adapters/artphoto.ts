import * as path from 'node:path';
import { z } from 'zod';
import { MIKELS, type Dataset, type RegistryEntry } from '@iern/core';
import { DatasetBuilder, fileSample, holdoutOptions, isImageFile, listDir, requireDir, rootOption } from './common.js';
import { LabelMap } from '../formats/labels.js';
import { applyStrata, strataOption } from './strata.js';
import { asSentiment, labelsOption } from './sentiment.js';

export const artphotoOptions = z.strictObject({ root: rootOption, ...holdoutOptions, ...strataOption, ...labelsOption });
export type ArtphotoOptions = z.infer<typeof artphotoOptions>;

/** ArtPhoto: flat `<class>_<n>.jpg` with the 8 Mikels classes (`sad` spelling). */
export function loadArtphoto(o: ArtphotoOptions): Dataset {
  const root = requireDir(path.resolve(o.root), 'ArtPhoto folder');
  const map = new LabelMap(MIKELS);
  const b = new DatasetBuilder('artphoto', MIKELS);
  for (const f of listDir(root)) {
    const m = /^([A-Za-z]+)_\d+$/.exec(path.parse(f).name);
    if (!isImageFile(f) || !m) {
      b.skip('other file');
      continue;
    }
    const r = map.map(m[1]!, { file: path.join(root, f) });
    if ('skip' in r) continue;
    b.add(fileSample(`artphoto/${f}`, path.join(root, f), r.emotion));
  }
  applyStrata(b, o.strata, root);
  b.holdout(o);
  return o.labels === 'sentiment' ? asSentiment(b.build()) : b.build();
}

export const artphotoEntry: RegistryEntry<Dataset, ArtphotoOptions> = {
  type: 'artphoto',
  package: '@iern/datasets',
  description: 'ArtPhoto (flat <class>_<n>.jpg, 8 Mikels classes)',
  options: artphotoOptions,
  build: (o) => loadArtphoto(o),
};
