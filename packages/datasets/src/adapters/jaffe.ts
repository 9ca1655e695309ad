import * as path from 'node:path';
import { z } from 'zod';
import { type Dataset, type RegistryEntry } from '@iern/core';
import { DatasetBuilder, fileSample, holdoutOptions, listDir, requireDir, rootOption } from './common.js';
import { FER2013_CLASSES } from './fer2013.js';

/** JAFFE expression codes in file names. */
export const JAFFE_CODES: Record<string, string> = { AN: 'anger', DI: 'disgust', FE: 'fear', HA: 'happiness', NE: 'neutral', SA: 'sadness', SU: 'surprise' };

export const jaffeOptions = z.strictObject({ root: rootOption, ...holdoutOptions });
export type JaffeOptions = z.infer<typeof jaffeOptions>;

/** JAFFE: flat folder of `KA.AN1.39.tiff` (subject.code+n.id); other files beside them are counted. */
export function loadJaffe(o: JaffeOptions): Dataset {
  const root = requireDir(path.resolve(o.root), 'JAFFE folder');
  const b = new DatasetBuilder('jaffe', FER2013_CLASSES);
  for (const f of listDir(root)) {
    const m = /^([A-Za-z]{2})\.([A-Za-z]{2})(\d+)\.(\d+)\.tiff?$/i.exec(f);
    if (!m) {
      b.skip('other file');
      continue;
    }
    const emotion = JAFFE_CODES[m[2]!.toUpperCase()];
    if (!emotion) {
      b.skip(`unknown code ${m[2]!.toUpperCase()}`);
      b.problems.push(`${path.join(root, f)}: expression code '${m[2]}' is not one of ${Object.keys(JAFFE_CODES).join(' ')}`);
      continue;
    }
    b.add(fileSample(`jaffe/${f}`, path.join(root, f), emotion), m[1]!.toUpperCase());
  }
  b.holdout(o);
  return b.build();
}

export const jaffeEntry: RegistryEntry<Dataset, JaffeOptions> = {
  type: 'jaffe',
  package: '@iern/datasets',
  description: 'JAFFE (flat folder, subject.code.id.tiff)',
  options: jaffeOptions,
  build: (o) => loadJaffe(o),
};
