import * as path from 'node:path';
import { z } from 'zod';
import { type Dataset, type RegistryEntry } from '@iern/core';
import { DatasetBuilder, fileSample, holdoutOptions, isImageFile, listDir, requireDir, rootOption, subDirs } from './common.js';
import { FER2013_CLASSES } from './fer2013.js';

/** KDEF expression codes (AF = afraid). */
export const KDEF_CODES: Record<string, string> = { AF: 'fear', AN: 'anger', DI: 'disgust', HA: 'happiness', NE: 'neutral', SA: 'sadness', SU: 'surprise' };
export const KDEF_ANGLES = ['S', 'HL', 'HR', 'FL', 'FR'] as const;

export const kdefOptions = z.strictObject({
  root: rootOption,
  ...holdoutOptions,
  /** Camera angles to keep (S straight, HL/HR half, FL/FR full profile); others are counted. */
  angles: z.array(z.enum(KDEF_ANGLES)).default([...KDEF_ANGLES]),
});
export type KdefOptions = z.infer<typeof kdefOptions>;

/** KDEF: `AF01/AF01ANS.JPG` = session, gender, id, expression, angle; any case. */
export function loadKdef(o: KdefOptions): Dataset {
  const root = requireDir(path.resolve(o.root), 'KDEF root');
  const b = new DatasetBuilder('kdef', FER2013_CLASSES);
  const angles = new Set<string>(o.angles);
  const bad: string[] = [];
  // session folders (`AF01/`), or a flattened copy with the images in root
  for (const folder of ['.', ...subDirs(root)]) {
    for (const f of listDir(path.join(root, folder))) {
      if (folder === '.' && !isImageFile(f)) continue; // folders and notes at the top level
      if (!isImageFile(f)) {
        b.skip('other file');
        continue;
      }
      const m = /^([AB])([FM])(\d{2})(AF|AN|DI|HA|NE|SA|SU)(S|HL|HR|FL|FR)$/i.exec(path.parse(f).name);
      if (!m) {
        b.skip('unrecognised file name');
        bad.push(path.join(root, folder, f));
        continue;
      }
      if (!angles.has(m[5]!.toUpperCase())) {
        b.skip('angle not selected');
        continue;
      }
      b.add(fileSample(`kdef/${f.toUpperCase()}`, path.join(root, folder, f), KDEF_CODES[m[4]!.toUpperCase()]!), `${m[2]!.toUpperCase()}${m[3]}`);
    }
  }
  if (bad.length) b.problems.push(`${bad.length} image(s) with an unrecognised KDEF name, e.g. ${bad.slice(0, 3).join(', ')}`);
  b.holdout(o);
  return b.build();
}

export const kdefEntry: RegistryEntry<Dataset, KdefOptions> = {
  type: 'kdef',
  package: '@iern/datasets',
  description: 'KDEF (session/gender/id/expression/angle file names, any case)',
  options: kdefOptions,
  build: (o) => loadKdef(o),
};
