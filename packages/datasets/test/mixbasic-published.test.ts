import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BASIC6, Rng } from '@iern/core';
import { loadMixbasic, mixbasicOptions } from '@iern/datasets';
import { pickleStrDict, tempRoot, writeText } from './helpers.js';

// Published split sizes (train/test) of the official fold lists.
const PUBLISHED: Record<string, [number, number][]> = {
  bias100: [[1977, 1014], [2043, 948], [1962, 1029]],
  bias90: [[2076, 915], [2139, 852], [2061, 930]],
};
// 2991 images: CK+ 309 sequences x 3, MMI 208 clips x 3, Oulu-CASIA 80 x 6 x 3.
const SIZES: [string, number][] = [['CKPlus', 927], ['MMI', 624], ['OuluCASIA', 1440]];

const t = tempRoot('iern-mixbasic-');
afterAll(() => t.cleanup());

describe('mixbasic with official-form fold lists at the published sizes', () => {
  it('yields exactly the listed images for every setting and fold', () => {
    const root = path.join(t.root, 'MixBasic');
    const all: string[] = [];
    const labels: Record<string, string> = {};
    for (const [src, n] of SIZES) {
      for (let i = 0; i < n; i++) {
        const file = src === 'CKPlus' ? `S${String(10 + Math.floor(i / 9)).padStart(3, '0')}_${String((i % 9) + 1).padStart(3, '0')}_${String(i).padStart(8, '0')}.png` : `${src === 'MMI' ? 'S001_1' : 'P001_x'}_${String(i).padStart(4, '0')}.png`;
        // the adapter lists files, it does not decode them: empty files are enough here
        writeText(path.join(root, src, 'images', file), '');
        labels[`${src.toLowerCase()}_${path.parse(file).name}`] = ['Anger', 'Disgust', 'Fear', 'Happiness', 'Sadness', 'Surprise'][i % 6]!;
        all.push(`MixBasic/${src}/images/${file}`);
      }
    }
    expect(all).toHaveLength(2991);
    writeText(path.join(root, 'emotion_labels.pkl'), pickleStrDict(labels));
    const rng = new Rng(11);
    for (const [setting, folds] of Object.entries(PUBLISHED)) {
      folds.forEach(([nTrain, nTest], f) => {
        const order = rng.shuffle([...all]);
        const test = order.slice(0, nTest);
        const train = order.slice(nTest);
        expect(train).toHaveLength(nTrain);
        writeText(path.join(root, `train_ids_${setting}v${f + 1}.csv`), train.join('\n') + '\n');
        writeText(path.join(root, `test_ids_${setting}v${f + 1}.csv`), test.join('\n') + '\n');
        for (const [split, list] of [['train', train], ['test', test]] as const) {
          const ds = loadMixbasic(mixbasicOptions.parse({ root, setting, fold: f + 1, split }));
          expect(ds.samples).toHaveLength(list.length);
          const got = new Set(ds.samples.map((s) => `MixBasic/${{ ckplus: 'CKPlus', mmi: 'MMI', oulucasia: 'OuluCASIA' }[s.confounder!]}/images/${path.basename((s.image as { path: string }).path)}`));
          expect(got).toEqual(new Set(list));
          expect(ds.classes).toEqual([...BASIC6]);
        }
      });
    }
  });
});
