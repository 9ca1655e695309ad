import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { container } from 'tsyringe';
import { DataLoader, Registries, TOKENS } from '@iern/core';
import { folderOptions, loadFolder, loadManifest, manifestOptions, plugin } from '@iern/datasets';
import { tempRoot, writeImages, writeText } from './helpers.js';

const t = tempRoot();
afterAll(() => t.cleanup());
beforeAll(async () => {
  await tf.setBackend('cpu');
});
const dir = (name: string) => path.join(t.root, name);

describe('folder', () => {
  it('class folders mapped to canonical names; confounder level; skips counted; generated split', async () => {
    const root = dir('folder');
    await writeImages([path.join(root, 'Angry', '1.png'), path.join(root, 'happy', '2.jpg'), path.join(root, 'happy', '3.webp'), path.join(root, 'contempt', '4.png')]);
    const ds = loadFolder(folderOptions.parse({ root, skip: ['contempt'] }));
    expect(ds.classes).toEqual(['anger', 'happiness']);
    expect(ds.samples.map((s) => s.emotion)).toEqual(['anger', 'happiness', 'happiness']);
    expect(ds.skipped).toEqual({ contempt: 1 });
    expect(() => loadFolder(folderOptions.parse({ root, classes: ['anger', 'happiness'] }))).toThrow(/contempt.*unknown label 'contempt'/);
    const conf = dir('folder-conf');
    await writeImages([path.join(conf, 'lab', 'sad', '1.png'), path.join(conf, 'wild', 'sad', '2.png'), path.join(conf, 'wild', 'surprise', '3.png')]);
    const c = loadFolder(folderOptions.parse({ root: conf, confounderLevel: true }));
    expect(c.samples.map((s) => [s.emotion, s.confounder])).toEqual([['sadness', 'lab'], ['sadness', 'wild'], ['surprise', 'wild']]);
    expect(c.confounders).toEqual(['lab', 'wild']);
    const tr = loadFolder(folderOptions.parse({ root: conf, confounderLevel: true, split: 'train', testFraction: 0.5 }));
    const te = loadFolder(folderOptions.parse({ root: conf, confounderLevel: true, split: 'test', testFraction: 0.5 }));
    expect(tr.samples.length + te.samples.length).toBe(3);
  });
});

describe('manifest', () => {
  it('csv with split, confounder and box columns; jsonl with box objects; bad lines named', async () => {
    const root = dir('manifest');
    await writeImages([path.join(root, 'img', 'a.png'), path.join(root, 'img', 'b.png')]);
    writeText(path.join(root, 'manifest.csv'), 'path,label,confounder,split,x,y,width,height\nimg/a.png,Happy,lab,train,1,1,2,2\nimg/b.png,sad,wild,test,,,,\n');
    const all = loadManifest(manifestOptions.parse({ root }));
    expect(all.samples.map((s) => [s.emotion, s.confounder, s.split])).toEqual([['happiness', 'lab', 'train'], ['sadness', 'wild', 'test']]);
    expect(all.samples[0]!.box).toEqual({ x: 1, y: 1, width: 2, height: 2 });
    expect(loadManifest(manifestOptions.parse({ root, split: 'test' })).samples).toHaveLength(1);
    writeText(path.join(root, 'm.jsonl'), '{"path":"img/a.png","label":"fear","box":{"x":0,"y":0,"width":3,"height":3}}\n\n{"path":"img/b.png","label":"none"}\n');
    const j = loadManifest(manifestOptions.parse({ root, file: 'm.jsonl', skip: ['none'] }));
    expect(j.samples.map((s) => s.emotion)).toEqual(['fear']);
    expect(j.skipped).toEqual({ none: 1 });
    writeText(path.join(root, 'bad.jsonl'), '{"path":"a.png","label":"fear"}\n{oops\n');
    expect(() => loadManifest(manifestOptions.parse({ root, file: 'bad.jsonl' }))).toThrow(/bad\.jsonl:2: invalid JSON/);
    expect(() => loadManifest(manifestOptions.parse({ root, file: 'missing.csv' }))).toThrow(/missing\.csv.*manifest not found/);
  });
});

describe('plugin registration, mix, and the loader', () => {
  it('registers every adapter; mix builds children through the registry with confounder = source', async () => {
    const registries = new Registries();
    plugin.register(registries, container);
    for (const type of ['mixbasic', 'ckplus', 'mmi', 'oulu-casia', 'fer2013', 'ferplus', 'rafdb', 'affectnet', 'expw', 'sfew', 'jaffe', 'kdef', 'fi', 'emotionroi', 'emotion6', 'artphoto', 'abstract', 'twitter1', 'folder', 'manifest', 'mix']) {
      expect(registries.datasets.has(type)).toBe(true);
    }
    const a = dir('mix-a');
    const b = dir('mix-b');
    await writeImages([path.join(a, 'happy', '1.png'), path.join(a, 'sad', '2.png'), path.join(b, 'happy', '3.png')]);
    writeText(path.join(b, 'unknown', 'x.png'), 'not really a png');
    const c = container.createChildContainer();
    c.register(TOKENS.Registries, { useValue: registries });
    const ds = await registries.datasets.build(
      { type: 'mix', root: t.root, sources: [{ type: 'folder', name: 'lab', root: 'mix-a' }, { type: 'folder', name: 'wild', root: 'mix-b', skip: ['unknown'] }] },
      c,
      'data.train',
    );
    expect(ds.samples.map((s) => [s.emotion, s.confounder])).toEqual([['happiness', 'lab'], ['sadness', 'lab'], ['happiness', 'wild']]);
    expect(ds.confounders).toEqual(['lab', 'wild']);
    expect(ds.classes).toEqual(['happiness', 'sadness']);
    expect(ds.skipped).toEqual({ 'wild: unknown': 1 });
    await expect(registries.datasets.build({ type: 'mix', sources: [{ type: 'folder', root: a }, { type: 'folder', root: b }] }, c, 'data.train')).rejects.toThrow(/source name 'folder' is used twice/);
    await expect(registries.datasets.build({ type: 'fer2013', root: a, bogus: 1 }, c, 'data.train')).rejects.toThrow(/data\.train\.bogus/);

    // the samples decode through the core loader
    const loader = new DataLoader(ds.samples, {
      height: 8, width: 8, channels: 3, batchSize: 2, classes: ds.classes, confounders: ds.confounders,
      normalization: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }, shuffle: false,
    });
    await loader.prepare();
    const batch = loader.makeBatch([0, 2]);
    expect(Array.from(batch.confounders.dataSync())).toEqual([0, 1]);
    expect(batch.images!.shape).toEqual([2, 8, 8, 3]);
    batch.images!.dispose(); batch.emotions.dispose(); batch.confounders.dispose();
  });
});
