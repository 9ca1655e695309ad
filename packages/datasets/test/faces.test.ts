import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  affectnetOptions, ckplusOptions, expwOptions, fer2013Options, ferplusMajority, ferplusOptions, jaffeOptions, kdefOptions, loadAffectnet,
  loadCkplus, loadExpw, loadFer2013, loadFerplus, loadJaffe, loadKdef, loadMmi, loadOulu, loadRafdb, loadSfew, mmiOptions, ouluOptions,
  rafdbOptions, sfewOptions,
} from '@iern/datasets';
import { decodeSample, type Dataset } from '@iern/core';
import { ferPixels, tempRoot, writeImage, writeImages, writeText } from './helpers.js';

const t = tempRoot();
afterAll(() => t.cleanup());
const dir = (name: string) => path.join(t.root, name);
const count = (ds: Dataset) => Object.fromEntries([...new Set(ds.samples.map((s) => s.emotion))].sort().map((e) => [e, ds.samples.filter((s) => s.emotion === e).length]));

describe('ckplus', () => {
  it('takes the last 3 frames of labelled sequences, drops contempt (counted), counts unlabelled sequences', async () => {
    const root = dir('ck');
    const seq = (s: string, q: string, n: number) => Array.from({ length: n }, (_, i) => path.join(root, 'cohn-kanade-images', s, q, `${s}_${q}_${String(i + 1).padStart(8, '0')}.png`));
    await writeImages([...seq('S005', '001', 11), ...seq('S010', '002', 4), ...seq('S010', '003', 5), ...seq('S011', '001', 3)]);
    writeText(path.join(root, 'Emotion', 'S005', '001', 'S005_001_00000011_emotion.txt'), '   3.0000000e+00\n'); // disgust
    writeText(path.join(root, 'Emotion', 'S010', '002', 'S010_002_00000004_emotion.txt'), '   2.0000000e+00\n'); // contempt
    writeText(path.join(root, 'Emotion', 'S011', '001', 'S011_001_00000003_emotion.txt'), '   5.0000000e+00\n'); // happy
    // S010/003 has no label file: no label
    const ds = loadCkplus(ckplusOptions.parse({ root }));
    expect(count(ds)).toEqual({ disgust: 3, happiness: 3 });
    expect(ds.samples.filter((s) => s.emotion === 'disgust').map((s) => s.id)).toEqual(['ckplus/S005_001_00000009', 'ckplus/S005_001_00000010', 'ckplus/S005_001_00000011']);
    expect(ds.skipped).toEqual({ contempt: 3, 'unlabelled sequence': 1 });
    expect(count(loadCkplus(ckplusOptions.parse({ root, contempt: 'keep' })))).toEqual({ contempt: 3, disgust: 3, happiness: 3 });
    // generated subject split: train + test = all, subjects never straddle
    const tr = loadCkplus(ckplusOptions.parse({ root, split: 'train', testFraction: 0.5 }));
    const te = loadCkplus(ckplusOptions.parse({ root, split: 'test', testFraction: 0.5 }));
    expect(tr.samples.length + te.samples.length).toBe(6);
    expect(() => loadCkplus(ckplusOptions.parse({ root: dir('ck-missing') }))).toThrow(/CK\+ root not found.*ck-missing/);
  });
});

describe('mmi', () => {
  it('uses the Emotion element of the xml, the 3 middle frames, removes S021 and unused codes', async () => {
    const root = dir('mmi');
    const xml = (v: string) => `<?xml version="1.0"?>\n<Session>\n  <Metatag Name="Gender" Value="Female"/>\n  <Metatag Name="Emotion" Value="${v}"/>\n</Session>\n`;
    const sessions: [string, string, string][] = [['1', 'S001-001', '4'], ['2', 'S001-002', '7'], ['3', 'S021-001', '1'], ['4', 'S002-001', '6'], ['5', 'S002-002', '2']];
    for (const [id, name, v] of sessions) {
      writeText(path.join(root, 'Sessions', id, `${name}.xml`), xml(v));
      writeText(path.join(root, 'Sessions', id, `${name}.avi`), 'avi');
    }
    await writeImages([
      ...Array.from({ length: 7 }, (_, i) => path.join(root, 'frames', `1_${i + 1}.png`)),
      ...[1, 2, 3].map((i) => path.join(root, 'frames', `2_${i}.png`)),
      ...[1, 2, 3].map((i) => path.join(root, 'frames', `3_${i}.png`)),
      ...Array.from({ length: 10 }, (_, i) => path.join(root, 'frames', `S002_001_${String(i).padStart(3, '0')}.png`)),
    ]);
    const ds = loadMmi(mmiOptions.parse({ root }));
    expect(count(ds)).toEqual({ happiness: 3, surprise: 3 });
    expect(ds.samples.filter((s) => s.emotion === 'happiness').map((s) => s.id)).toEqual(['mmi/1_3', 'mmi/1_4', 'mmi/1_5']);
    // clip-named frames (S002-001.avi -> S002_001_<n>.png), 10 frames: centre 5 and its neighbours
    expect(ds.samples.filter((s) => s.emotion === 'surprise').map((s) => s.id)).toEqual(['mmi/S002_001_004', 'mmi/S002_001_005', 'mmi/S002_001_006']);
    expect(ds.skipped).toEqual({ 'emotion code > 6 (clips)': 1, 'excluded subject S021 (clips)': 1, 'no extracted frames (clips)': 1 });
  });
});

describe('oulu-casia', () => {
  it('reads VL/Strong, last 3 frames, maps emotion folders by name', async () => {
    const root = dir('oulu');
    await writeImages([
      ...Array.from({ length: 5 }, (_, i) => path.join(root, 'VL', 'Strong', 'P001', 'Happiness', `${String(i).padStart(3, '0')}.jpeg`)),
      ...Array.from({ length: 4 }, (_, i) => path.join(root, 'VL', 'Strong', 'P002', 'Anger', `${i}.jpeg`)),
      path.join(root, 'VL', 'Weak', 'P001', 'Fear', '0.jpeg'),
    ]);
    const ds = loadOulu(ouluOptions.parse({ root }));
    expect(count(ds)).toEqual({ anger: 3, happiness: 3 });
    expect(ds.samples[0]!.id).toBe('oulu-casia/P001/Happiness/002.jpeg');
    expect(count(loadOulu(ouluOptions.parse({ root, illumination: 'Weak' })))).toEqual({ fear: 1 });
    await writeImage(path.join(root, 'VL', 'Strong', 'P003', 'Bored', '0.jpeg'));
    expect(() => loadOulu(ouluOptions.parse({ root }))).toThrow(/P003.*Bored.*unknown label 'Bored'/);
  });
});

describe('fer2013', () => {
  const rows: [number, string][] = [[0, 'Training'], [3, 'Training'], [6, 'PublicTest'], [5, 'PrivateTest'], [4, 'Training']];
  it('reads fer2013.csv (quoted pixels) with Usage splits, labels by name', async () => {
    const root = dir('fer');
    writeText(path.join(root, 'fer2013.csv'), 'emotion,pixels,Usage\n' + rows.map(([e, u], i) => `${e},"${ferPixels(i * 10)}",${u}`).join('\n') + '\n');
    const tr = loadFer2013(fer2013Options.parse({ root }));
    expect(tr.samples.map((s) => s.emotion)).toEqual(['anger', 'happiness', 'sadness']);
    expect(tr.samples[1]!.image).toMatchObject({ kind: 'pixels', width: 48, height: 48, channels: 1 });
    expect((tr.samples[1]!.image as { data: Uint8Array }).data[100]).toBe(10);
    expect(loadFer2013(fer2013Options.parse({ root, split: 'val' })).samples.map((s) => s.emotion)).toEqual(['neutral']);
    expect(loadFer2013(fer2013Options.parse({ root, split: 'test' })).samples.map((s) => s.emotion)).toEqual(['surprise']);
    const img = await decodeSample(tr.samples[2]!, { height: 8, width: 8, channels: 3 });
    expect(img.data[0]).toBeCloseTo(40 / 255, 3);
  });
  it('reads icml_face_data.csv (leading spaces in the header) and Kaggle train.csv; refuses unlabelled test.csv', () => {
    const root = dir('fer-icml');
    writeText(path.join(root, 'icml_face_data.csv'), 'emotion, Usage, pixels\n' + rows.map(([e, u]) => `${e},${u},${ferPixels(1)}`).join('\n'));
    expect(loadFer2013(fer2013Options.parse({ root })).samples).toHaveLength(3);
    expect(loadFer2013(fer2013Options.parse({ root, split: 'all' })).samples.map((s) => s.split)).toEqual(['train', 'train', 'val', 'test', 'train']);
    const kg = dir('fer-kaggle');
    writeText(path.join(kg, 'train.csv'), 'emotion,pixels\n' + rows.map(([e]) => `${e},${ferPixels(2)}`).join('\n'));
    writeText(path.join(kg, 'test.csv'), 'pixels\n' + ferPixels(3));
    expect(loadFer2013(fer2013Options.parse({ root: kg })).samples).toHaveLength(5);
    expect(() => loadFer2013(fer2013Options.parse({ root: kg, split: 'test' }))).toThrow(/test\.csv.*unlabelled/);
  });
  it('reads folder copies and reports bad rows with file and line', async () => {
    const root = dir('fer-folder');
    await writeImages([path.join(root, 'train', 'angry', '1.jpg'), path.join(root, 'train', 'happy', '2.jpg'), path.join(root, 'test', 'surprise', '3.jpg')]);
    expect(count(loadFer2013(fer2013Options.parse({ root })))).toEqual({ anger: 1, happiness: 1 });
    expect(count(loadFer2013(fer2013Options.parse({ root, split: 'test' })))).toEqual({ surprise: 1 });
    const bad = dir('fer-bad');
    writeText(path.join(bad, 'fer2013.csv'), `emotion,pixels,Usage\n0,${ferPixels(1)},Training\n9,${ferPixels(1)},Training\n`);
    expect(() => loadFer2013(fer2013Options.parse({ root: bad }))).toThrow(/fer2013\.csv:3: unknown label code '9'/);
    writeText(path.join(bad, 'fer2013.csv'), `emotion,pixels,Usage\n0,1 2 3,Training\n`);
    expect(() => loadFer2013(fer2013Options.parse({ root: bad }))).toThrow(/fer2013\.csv:2: expected 2304 pixel values/);
    expect(() => loadFer2013(fer2013Options.parse({ root: dir('fer-none') }))).toThrow(/FER2013 root not found/);
  });
});

describe('ferplus', () => {
  it('majority rule: single votes dropped, > 50% wins, unknown/NF/no-majority/empty names counted', () => {
    expect(ferplusMajority([6, 1, 0, 0, 0, 0, 0, 0, 0, 0])).toBe(0);
    expect(ferplusMajority([5, 4, 1, 0, 0, 0, 0, 0, 0, 0])).toBe(0); // 5 of 9 after dropping the single vote
    expect(ferplusMajority([4, 4, 2, 0, 0, 0, 0, 0, 0, 0])).toBeUndefined();
    const root = dir('ferplus');
    const usages = ['Training', 'Training', 'Training', 'Training', 'Training', 'PublicTest', 'PrivateTest', 'Training'];
    writeText(path.join(root, 'fer2013.csv'), 'emotion,pixels,Usage\n' + usages.map((u, i) => `0,${ferPixels(i)},${u}`).join('\n'));
    const h = 'Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF';
    const lines = [
      'Training,fer0000000.png,4,0,0,1,3,0,0,0,0,2', // neutral 4 of 9 -> 4/9 no... single dropped: 4,3,2 -> 4/9 no majority
      'Training,fer0000001.png,0,10,0,0,0,0,0,0,0,0', // happiness
      'Training,,0,0,0,0,0,0,0,0,0,10', // empty name (NF)
      'Training,fer0000003.png,0,0,0,0,0,0,0,0,8,2', // unknown
      'Training,fer0000001.png,0,0,0,0,0,0,0,6,2,1', // repeated name; contempt (votes sum 9)
      'PublicTest,fer0000005.png,0,0,9,0,0,0,0,0,1,0', // surprise
      'PrivateTest,fer0000006.png,0,0,0,0,0,0,0,0,0,10', // NF
      'Training,fer0000007.png,1,1,1,1,1,1,1,1,1,1', // all single votes
    ];
    writeText(path.join(root, 'fer2013new.csv'), [h, ...lines].join('\n') + '\n');
    const ds = loadFerplus(ferplusOptions.parse({ root }));
    expect(ds.samples.map((s) => [s.id, s.emotion])).toEqual([['ferplus/1', 'happiness'], ['ferplus/4', 'contempt']]);
    expect((ds.samples[1]!.image as { data: Uint8Array }).data[0]).toBe(4); // pixels taken BY POSITION
    expect(ds.skipped).toEqual({ 'no majority': 2, 'no image name (no face)': 1, unknown: 1 });
    expect(ds.problems.join()).toMatch(/1 image name\(s\) repeat/);
    expect(loadFerplus(ferplusOptions.parse({ root, contempt: 'drop' })).skipped['contempt']).toBe(1);
    expect(loadFerplus(ferplusOptions.parse({ root, split: 'test' })).skipped).toEqual({ 'no-face': 1 });
    expect(loadFerplus(ferplusOptions.parse({ root, split: 'val' })).samples.map((s) => s.emotion)).toEqual(['surprise']);
    writeText(path.join(root, 'fer2013new.csv'), [h, ...lines.slice(1)].join('\n'));
    expect(() => loadFerplus(ferplusOptions.parse({ root }))).toThrow(/has 7 rows but .*fer2013\.csv has 8/);
  });
});

describe('rafdb', () => {
  it('maps codes by name, splits by prefix, points at aligned images', () => {
    const root = dir('raf');
    writeText(path.join(root, 'EmoLabel', 'list_patition_label.txt'), 'train_00001.jpg 5\ntrain_00002.jpg 1\ntest_0001.jpg 7\n\n');
    const tr = loadRafdb(rafdbOptions.parse({ root }));
    expect(tr.samples.map((s) => s.emotion)).toEqual(['sadness', 'surprise']);
    expect((tr.samples[0]!.image as { path: string }).path).toBe(path.join(root, 'Image', 'aligned', 'train_00001_aligned.jpg'));
    expect(loadRafdb(rafdbOptions.parse({ root, split: 'test' })).samples.map((s) => s.emotion)).toEqual(['neutral']);
    writeText(path.join(root, 'EmoLabel', 'list_patition_label.txt'), 'train_00001.jpg 8\n');
    expect(() => loadRafdb(rafdbOptions.parse({ root }))).toThrow(/list_patition_label\.txt:1: unknown label code '8'/);
    expect(() => loadRafdb(rafdbOptions.parse({ root: dir('raf-empty-no') }))).toThrow(/RAF-DB root not found/);
  });
});

describe('affectnet', () => {
  it('csv release: header or not, face box, non-emotions counted, mixed extensions', async () => {
    const root = dir('affectnet');
    const head = 'subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal';
    writeText(path.join(root, 'Manually_Annotated_file_lists', 'training.csv'), [
      head,
      '689/a.jpg,2,1,8,6,"1;2;3",1,0.5,0.2',
      '689/b.png,0,0,10,10,"",6,-0.5,0.2',
      '12/c.JPG,0,0,10,10,"",8,0,0',
      '12/d.jpg,0,0,10,10,"",10,0,0',
      '12/e.jpeg,0,0,10,10,"",7,0,0',
    ].join('\n'));
    writeText(path.join(root, 'Manually_Annotated_file_lists', 'validation.csv'), '1/x.jpg,0,0,5,5,"",9,0,0\n1/y.jpg,0,0,5,5,"",3,0,0\n');
    const ds = loadAffectnet(affectnetOptions.parse({ root }));
    expect(count(ds)).toEqual({ anger: 1, contempt: 1, happiness: 1 });
    expect(ds.samples[0]!.box).toEqual({ x: 2, y: 1, width: 8, height: 6 });
    expect(ds.skipped).toEqual({ none: 1, 'no-face': 1 });
    expect(loadAffectnet(affectnetOptions.parse({ root, contempt: 'drop' })).skipped['contempt']).toBe(1);
    const val = loadAffectnet(affectnetOptions.parse({ root, split: 'test' }));
    expect(val.samples.map((s) => s.emotion)).toEqual(['surprise']);
    expect(val.skipped).toEqual({ uncertain: 1 });
    // the box is cropped at decode time
    const img = path.join(root, 'Manually_Annotated_Images', '689', 'a.jpg');
    await writeImage(img, 200, [20, 20]);
    const d = await decodeSample(ds.samples[0]!, { height: 4, width: 4, channels: 1 });
    expect(d.data[0]).toBeGreaterThan(0.7);
    // mixed extensions: the list says b.png, the file on disk is b.JPG
    await writeImage(path.join(root, 'Manually_Annotated_Images', '689', 'b.JPG'));
    const again = loadAffectnet(affectnetOptions.parse({ root }));
    expect((again.samples[1]!.image as { path: string }).path).toBe(path.join(root, 'Manually_Annotated_Images', '689', 'b.JPG'));
  });
  it('npy release: label stored as a string or an int', () => {
    const root = dir('affectnet-npy');
    const npy = (descr: string, data: number[]) => {
      const header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (), }`.padEnd(117, ' ') + '\n';
      return Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 118, 0, ...Buffer.from(header, 'latin1'), ...data]);
    };
    for (const id of ['0', '1', '2', '3']) writeText(path.join(root, 'train_set', 'images', `${id}.jpg`), 'x');
    writeText(path.join(root, 'train_set', 'annotations', '0_exp.npy'), npy('<U1', [0x31, 0, 0, 0])); // '1' happy
    writeText(path.join(root, 'train_set', 'annotations', '1_exp.npy'), npy('<i8', [4, 0, 0, 0, 0, 0, 0, 0])); // fear
    writeText(path.join(root, 'train_set', 'annotations', '2_exp.npy'), npy('<U1', [0x37, 0, 0, 0])); // contempt
    const ds = loadAffectnet(affectnetOptions.parse({ root, contempt: 'drop' }));
    expect(ds.samples.map((s) => [s.id, s.emotion])).toEqual([['affectnet/train/0', 'happiness'], ['affectnet/train/1', 'fear']]);
    expect(ds.skipped).toEqual({ contempt: 1, 'no annotation': 1 });
    expect(() => loadAffectnet(affectnetOptions.parse({ root, split: 'val' }))).toThrow(/val_set.*not found/);
  });
});

describe('expw', () => {
  it('face boxes from label.lst, duplicate lines removed and counted', () => {
    const root = dir('expw');
    writeText(path.join(root, 'label', 'label.lst'), [
      'afraid_african_214.jpg 0 106 184 427 349 57.3 2',
      'afraid_african_214.jpg 1 10 20 60 90 40.1 3',
      'afraid_african_214.jpg 0 106 184 427 349 57.3 2',
      'angry_asian_1.jpg 0 5 5 50 50 30.0 0',
      'angry_asian_1.jpg 0 6 5 50 50 30.0 6',
    ].join('\n') + '\n');
    const ds = loadExpw(expwOptions.parse({ root }));
    expect(ds.samples.map((s) => s.emotion)).toEqual(['fear', 'happiness', 'anger']);
    expect(ds.samples[0]!.box).toEqual({ x: 184, y: 106, width: 243, height: 243 });
    expect(ds.skipped).toEqual({ 'duplicate line': 1, 'conflicting duplicate face': 1 });
    expect(loadExpw(expwOptions.parse({ root, minConfidence: 35 })).skipped['low confidence']).toBe(1);
    writeText(path.join(root, 'label', 'label.lst'), 'a.jpg 0 1 2 3\n');
    expect(() => loadExpw(expwOptions.parse({ root }))).toThrow(/label\.lst:1: expected 8 fields/);
    expect(() => loadExpw(expwOptions.parse({ root: dir('raf') }))).toThrow(/label\.lst.*ExpW label list not found/);
  });
});

describe('sfew', () => {
  it('Train and double-nested Val/Val', async () => {
    const root = dir('sfew');
    await writeImages([
      path.join(root, 'Train', 'Angry', 'a.png'), path.join(root, 'Train', 'Happy', 'b.png'), path.join(root, 'Train', 'Happy', 'c.png'),
      path.join(root, 'Val', 'Val', 'Sad', 'd.png'), path.join(root, 'Val', 'Val', 'Neutral', 'e.png'),
    ]);
    writeText(path.join(root, 'Train', 'Happy', 'notes.txt'), 'x');
    const tr = loadSfew(sfewOptions.parse({ root }));
    expect(count(tr)).toEqual({ anger: 1, happiness: 2 });
    expect(tr.skipped).toEqual({ 'not an image': 1 });
    const te = loadSfew(sfewOptions.parse({ root, split: 'test' }));
    expect(count(te)).toEqual({ neutral: 1, sadness: 1 });
  });
});

describe('jaffe and kdef', () => {
  it('jaffe: codes from file names; other files counted', async () => {
    const root = dir('jaffe');
    await writeImages([path.join(root, 'KA.AN1.39.tiff'), path.join(root, 'KA.HA2.30.tiff'), path.join(root, 'YM.SU3.60.tiff')]);
    writeText(path.join(root, 'README'), 'x');
    writeText(path.join(root, '.DS_Store'), 'x');
    const ds = loadJaffe(jaffeOptions.parse({ root }));
    expect(count(ds)).toEqual({ anger: 1, happiness: 1, surprise: 1 });
    expect(ds.skipped).toEqual({ 'other file': 2 });
  });
  it('kdef: session/gender/id/expression/angle, any case, angle filter counted', async () => {
    const root = dir('kdef');
    await writeImages([path.join(root, 'AF01', 'AF01ANS.JPG'), path.join(root, 'AF01', 'AF01AFHL.JPG'), path.join(root, 'bm12', 'bm12hafr.jpg'), path.join(root, 'AF01', 'AF01SURPRISE.JPG'), path.join(root, 'BF02SAFL.jpg')]);
    const ds = loadKdef(kdefOptions.parse({ root }));
    expect(count(ds)).toEqual({ anger: 1, fear: 1, happiness: 1, sadness: 1 });
    expect(ds.skipped).toEqual({ 'unrecognised file name': 1 });
    expect(ds.problems.join()).toMatch(/AF01SURPRISE/);
    const front = loadKdef(kdefOptions.parse({ root, angles: ['S'] }));
    expect(count(front)).toEqual({ anger: 1 });
    expect(front.skipped['angle not selected']).toBe(3);
  });
});
