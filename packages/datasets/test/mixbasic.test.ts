import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASIC6 } from '@iern/core';
import { loadMixbasic, makeFolds, mixbasicOptions } from '@iern/datasets';
import { pickleStrDict, tempRoot, writeImages, writeText } from './helpers.js';

const SOURCES = ['CKPlus', 'MMI', 'OuluCASIA'];

describe('makeFolds (held-out-pair rule)', () => {
  const samples = SOURCES.flatMap((src) =>
    BASIC6.flatMap((emotion) => Array.from({ length: 10 }, (_, i) => ({ id: `${src}-${emotion}-${i}`, emotion, confounder: src.toLowerCase() }))),
  );
  const sources = SOURCES.map((s) => s.toLowerCase());

  it.each([1, 2, 3])('fold %i: each emotion held out by one source, seen in training from the others; held-out cells in test', (fold) => {
    const f = makeFolds(samples, { fold, ratio: 1, seed: 0, emotions: BASIC6, sources });
    expect(f.heldOutCells).toHaveLength(6);
    for (const e of BASIC6) {
      const holders = f.heldOutCells.filter((c) => c.emotion === e).map((c) => c.confounder);
      expect(holders).toHaveLength(1);
      const trainSources = new Set(f.train.filter((s) => s.emotion === e).map((s) => s.confounder));
      expect([...trainSources].sort()).toEqual(sources.filter((s) => s !== holders[0]).sort());
    }
    // bias100: test is exactly the held-out cells
    const held = new Set(f.heldOutCells.map((c) => `${c.confounder}/${c.emotion}`));
    expect(f.test.every((s) => held.has(`${s.confounder}/${s.emotion}`))).toBe(true);
    expect(f.test).toHaveLength(60);
    expect(f.train).toHaveLength(120);
  });

  it('over the three folds every cell is held out exactly once (test sets add up to the dataset)', () => {
    const cells = [1, 2, 3].flatMap((fold) => makeFolds(samples, { fold, ratio: 1, seed: 0, emotions: BASIC6, sources }).heldOutCells);
    expect(new Set(cells.map((c) => `${c.confounder}/${c.emotion}`)).size).toBe(18);
    expect(makeFolds(samples, { fold: 1, ratio: 1, seed: 0, emotions: BASIC6, sources }).heldOutCells.slice(0, 2)).toEqual([
      { confounder: 'ckplus', emotion: 'anger' },
      { confounder: 'ckplus', emotion: 'disgust' },
    ]);
  });

  it('ratio 0.9 keeps round(0.9 n) of each held-out cell in test, chosen by the seed', () => {
    const a = makeFolds(samples, { fold: 2, ratio: 0.9, seed: 1, emotions: BASIC6, sources });
    expect(a.test).toHaveLength(54);
    for (const c of a.heldOutCells) {
      expect(a.test.filter((s) => s.confounder === c.confounder && s.emotion === c.emotion)).toHaveLength(9);
      expect(a.train.filter((s) => s.confounder === c.confounder && s.emotion === c.emotion)).toHaveLength(1);
    }
    const again = makeFolds(samples, { fold: 2, ratio: 0.9, seed: 1, emotions: BASIC6, sources });
    expect(again.train.map((s) => s.id)).toEqual(a.train.map((s) => s.id));
    const other = makeFolds(samples, { fold: 2, ratio: 0.9, seed: 2, emotions: BASIC6, sources });
    expect(other.train.map((s) => s.id)).not.toEqual(a.train.map((s) => s.id));
  });

  it('refuses samples without a source, a bad fold, and an emotion nobody else provides', () => {
    expect(() => makeFolds([{ emotion: 'anger' }], { fold: 1, ratio: 1, seed: 0 })).toThrow(/no confounder/);
    expect(() => makeFolds(samples, { fold: 4, ratio: 1, seed: 0 })).toThrow(/fold must be 1\.\.3/);
    const lonely = samples.filter((s) => s.emotion !== 'anger' || s.confounder === 'ckplus');
    expect(() => makeFolds(lonely, { fold: 1, ratio: 1, seed: 0, emotions: BASIC6, sources })).toThrow(/'anger' has no training samples/);
  });
});

describe('mixbasic adapter', () => {
  const t = tempRoot();
  const root = path.join(t.root, 'MixBasic');
  const labels: Record<string, string> = {};
  const files: { src: string; file: string; emotion: string }[] = [];
  const SPELL: Record<string, string> = { anger: 'Anger', disgust: 'disgust', fear: 'Fear', happiness: 'happy', sadness: 'Sadness', surprise: 'surprise' };

  beforeAll(async () => {
    for (const src of SOURCES) {
      for (const emotion of BASIC6) {
        for (let i = 0; i < 2; i++) {
          const file = `${src === 'CKPlus' ? 'S010_004' : src === 'MMI' ? 'S001_12' : 'P001_x'}_${emotion}_${i}.png`;
          files.push({ src, file, emotion });
          labels[`${src.toLowerCase()}_${path.parse(file).name}`] = SPELL[emotion]!;
        }
      }
    }
    await writeImages(files.map((f) => path.join(root, f.src, 'images', f.file)));
    writeText(path.join(root, 'CKPlus', 'images', 'Thumbs.db'), 'x');
    labels['mmi_orphan'] = 'anger';
    writeText(path.join(root, 'emotion_labels.pkl'), pickleStrDict(labels));
  }, 60_000);
  afterAll(() => t.cleanup());

  const load = (o: Record<string, unknown>) => loadMixbasic(mixbasicOptions.parse({ root, ...o }));

  it('reads the pickled labels by name and uses the source as confounder', () => {
    const ds = load({ split: 'all' });
    expect(ds.samples).toHaveLength(36);
    expect(ds.confounders).toEqual(['ckplus', 'mmi', 'oulucasia']);
    expect(ds.samples.filter((s) => s.emotion === 'happiness')).toHaveLength(6);
    expect(ds.skipped).toEqual({ 'not an image': 1 });
    expect(ds.problems.join()).toMatch(/1 label\(s\).*have no image/);
  });

  it('official fold lists define the split exactly (paths as MixBasic/<Source>/images/<file>)', () => {
    const train = files.filter((_, i) => i % 3 !== 0);
    const test = files.filter((_, i) => i % 3 === 0);
    const line = (f: (typeof files)[number]) => `MixBasic/${f.src}/images/${f.file}`;
    writeText(path.join(root, 'train_ids_bias90v2.csv'), train.map(line).join('\n') + '\n');
    writeText(path.join(root, 'test_ids_bias90v2.csv'), test.map((f) => line(f).replace(/\//g, '\\')).join('\r\n'));
    const tr = load({ setting: 'bias90', fold: 2, split: 'train' });
    const te = load({ setting: 'bias90', fold: 2, split: 'test' });
    expect(tr.samples.map((s) => path.basename((s.image as { path: string }).path)).sort()).toEqual(train.map((f) => f.file).sort());
    expect(te.samples.map((s) => `${s.confounder}/${path.basename((s.image as { path: string }).path)}`).sort()).toEqual(
      test.map((f) => `${f.src.toLowerCase()}/${f.file}`).sort(),
    );
    expect(te.samples.every((s) => s.split === 'test')).toBe(true);
    // a listed file that is not in the tree is an error naming the list and line
    writeText(path.join(root, 'train_ids_bias100v3.csv'), `${line(files[0]!)}\nMixBasic/MMI/images/missing.png\n`);
    writeText(path.join(root, 'test_ids_bias100v3.csv'), '');
    expect(() => load({ fold: 3, split: 'train' })).toThrow(/train_ids_bias100v3\.csv:2: listed image mmi\/missing\.png/);
  });

  it('generates folds by the rule when no lists exist, and csv labels work too', () => {
    const tr = load({ fold: 1, split: 'train' });
    const te = load({ fold: 1, split: 'test' });
    expect(tr.samples.length + te.samples.length).toBe(36);
    expect(te.samples).toHaveLength(12);
    for (const e of BASIC6) expect(new Set(tr.samples.filter((s) => s.emotion === e).map((s) => s.confounder)).size).toBe(2);
    const custom = load({ fold: 1, split: 'test', groups: [['anger', 'fear'], ['disgust', 'happiness'], ['sadness', 'surprise']] });
    expect(new Set(custom.samples.filter((s) => s.confounder === 'ckplus').map((s) => s.emotion))).toEqual(new Set(['anger', 'fear']));
    expect(() => load({ fold: 1, split: 'train', folds: 'official' })).toThrow(/train_ids_bias100v1\.csv.*official fold list not found/);
    const csvRoot = path.join(t.root, 'csvcopy');
    writeText(path.join(csvRoot, 'emotion_labels.csv'), 'key,emotion\n' + Object.entries(labels).map(([k, v]) => `${k},${v}`).join('\n'));
    for (const src of SOURCES) writeText(path.join(csvRoot, src, 'images', '.keep'), '');
    expect(loadMixbasic(mixbasicOptions.parse({ root: csvRoot, split: 'all' })).skipped).toEqual({ 'not an image': 3 });
  });

  it('names the expected label file and unknown labels', () => {
    const bare = path.join(t.root, 'bare');
    for (const src of SOURCES) writeText(path.join(bare, src, 'images', '.keep'), '');
    expect(() => loadMixbasic(mixbasicOptions.parse({ root: bare }))).toThrow(/emotion_labels\.pkl or .*emotion_labels\.csv/);
    expect(() => loadMixbasic(mixbasicOptions.parse({ root: path.join(t.root, 'nope') }))).toThrow(/MixBasic root not found.*nope/);
    writeText(path.join(bare, 'emotion_labels.csv'), 'ckplus_a,bored\n');
    writeText(path.join(bare, 'CKPlus', 'images', 'a.png'), 'x');
    expect(() => loadMixbasic(mixbasicOptions.parse({ root: bare, split: 'all' }))).toThrow(/key ckplus_a.*unknown label 'bored'/);
  });
});
