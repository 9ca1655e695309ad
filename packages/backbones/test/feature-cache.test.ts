import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { CachedFeatureSource, DataLoader, Rng, cachedFeatureSource, cachedFeatures, disposeBatch, type Batch, type Sample } from '@iern/core';
import { SmallCnn } from '@iern/backbones';
import { maxAbsDiff, useCpu } from './helpers.js';

const classes = ['anger', 'happiness', 'sadness'];
const confounders = ['lab', 'web'];
const half = { mean: [0.5, 0.5, 0.5] as [number, number, number], std: [0.5, 0.5, 0.5] as [number, number, number] };

let dir: string;
let pngFile: string;

function pixelSamples(n: number, seed = 0): Sample[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: `s${i}`,
    image: { kind: 'pixels' as const, width: 8, height: 8, channels: 3 as const, data: Uint8Array.from({ length: 192 }, () => rng.int(256)) },
    emotion: classes[i % 3]!,
    confounder: confounders[i % 2],
  }));
}

function loader(samples: Sample[], opts: Partial<ConstructorParameters<typeof DataLoader>[1]> = {}) {
  return new DataLoader(samples, { height: 8, width: 8, channels: 3, batchSize: 4, classes, confounders, normalization: half, shuffle: true, ...opts });
}

const frozen = (seed = 0) => new SmallCnn({ channels: [4, 8], convsPerStage: 1, inputChannels: 3, freeze: true, seed, normalization: half });

beforeAll(async () => {
  await useCpu();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'iern-fc-'));
  pngFile = path.join(dir, 'img.png');
  await sharp(Buffer.alloc(8 * 8 * 3, 120), { raw: { width: 8, height: 8, channels: 3 } }).png().toFile(pngFile);
});
afterAll(async () => fs.rm(dir, { recursive: true, force: true }));

describe('feature cache', () => {
  it('computes once (miss), then reads the same features back (hit); they equal the backbone on the un-augmented images', async () => {
    const cacheDir = path.join(dir, 'a');
    const bb = frozen();
    const l = loader(pixelSamples(10), { augment: (img) => ({ ...img, data: img.data.map(() => 0) }) });
    const first = await cachedFeatures(bb, l, { dir: cacheDir });
    expect(first.status).toBe('miss');
    expect(first.reason).toBe('no entry');
    expect(first.table.shape).toEqual([2, 2, 8]);
    expect(first.table.ids).toEqual(pixelSamples(10).map((s) => s.id));
    const second = await cachedFeatures(bb, l, { dir: cacheDir });
    expect(second.status).toBe('hit');
    expect(second.file).toBe(first.file);
    expect(Array.from(second.table.data)).toEqual(Array.from(first.table.data));
    expect((await fs.readdir(cacheDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // reference: the backbone on the same (un-augmented) batch
    const batch = l.makeBatch([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const ref = bb.apply(batch.images!, false);
    const cached = tf.tensor4d(second.table.data, [10, 2, 2, 8]);
    expect(await maxAbsDiff(ref, cached)).toBeLessThan(1e-6);
    tf.dispose([ref, cached]);
    disposeBatch(batch);
    bb.dispose();
  });

  it('is invalidated by other weights, another image set, image size, normalisation or a changed image file', async () => {
    const cacheDir = path.join(dir, 'b');
    const samples = pixelSamples(6);
    const fileSample: Sample = { id: 'f0', image: { kind: 'file', path: pngFile }, emotion: 'anger' };
    const bb = frozen(1);
    const base = await cachedFeatures(bb, loader([...samples, fileSample]), { dir: cacheDir });
    expect(base.status).toBe('miss');
    const key = base.key;
    expect((await cachedFeatures(bb, loader([...samples, fileSample]), { dir: cacheDir })).status).toBe('hit');

    const other = frozen(2);
    const r1 = await cachedFeatures(other, loader([...samples, fileSample]), { dir: cacheDir });
    expect(r1.status).toBe('miss');
    other.dispose();
    // same seed, but weights changed in place (e.g. restored from a checkpoint)
    const w = bb.namedVariables().get('stage0.conv0.weight')!;
    const saved = w.clone();
    w.assign(tf.mul(saved, 2));
    expect((await cachedFeatures(bb, loader([...samples, fileSample]), { dir: cacheDir })).key).not.toBe(key);
    w.assign(saved);
    saved.dispose();
    expect((await cachedFeatures(bb, loader([...samples, fileSample]), { dir: cacheDir })).status).toBe('hit');

    expect((await cachedFeatures(bb, loader([...samples.slice(1), fileSample]), { dir: cacheDir })).status).toBe('miss');
    const changedPixels = pixelSamples(6, 9).map((s, i) => ({ ...s, id: samples[i]!.id }));
    expect((await cachedFeatures(bb, loader([...changedPixels, fileSample]), { dir: cacheDir })).status).toBe('miss');
    expect((await cachedFeatures(bb, loader([...samples, fileSample], { height: 16, width: 16 }), { dir: cacheDir })).status).toBe('miss');
    expect((await cachedFeatures(bb, loader([...samples, fileSample], { normalization: { mean: [0, 0, 0], std: [1, 1, 1] } }), { dir: cacheDir })).status).toBe('miss');

    await sharp(Buffer.alloc(8 * 8 * 3, 30), { raw: { width: 8, height: 8, channels: 3 } }).png().toFile(pngFile + '.new.png');
    await fs.rename(pngFile + '.new.png', pngFile);
    const t = new Date(Date.now() + 5000);
    await fs.utimes(pngFile, t, t);
    expect((await cachedFeatures(bb, loader([...samples, fileSample]), { dir: cacheDir })).status).toBe('miss');
    expect((await cachedFeatures(bb, loader([...samples, fileSample]), { dir: cacheDir, refresh: true })).reason).toBe('refresh');
    bb.dispose();
  });

  it('recomputes over an unreadable entry and says why; refuses a trainable backbone', async () => {
    const cacheDir = path.join(dir, 'c');
    const bb = frozen(3);
    const l = loader(pixelSamples(5));
    const first = await cachedFeatures(bb, l, { dir: cacheDir });
    await fs.writeFile(first.file, 'garbage');
    const again = await cachedFeatures(bb, l, { dir: cacheDir });
    expect(again.status).toBe('miss');
    expect(again.reason).toMatch(/^unreadable: .*not a safetensors file/);
    expect((await cachedFeatures(bb, l, { dir: cacheDir })).status).toBe('hit');
    bb.dispose();
    const trainable = new SmallCnn({ channels: [4], convsPerStage: 1, inputChannels: 3, freeze: false, seed: 0, normalization: half });
    await expect(cachedFeatures(trainable, l, { dir: cacheDir })).rejects.toThrow(/trainable.*freeze=true/);
    trainable.dispose();
  });

  it('CachedFeatureSource shuffles like DataLoader.epoch, drops the last batch like it, and leaks no tensors', async () => {
    const samples = pixelSamples(11);
    const l = loader(samples, { dropLast: true });
    const bb = frozen(4);
    const { source, cache } = await cachedFeatureSource(bb, l, { dir: path.join(dir, 'd') });
    expect(cache.status).toBe('miss');
    expect(source.batchesPerEpoch()).toBe(l.batchesPerEpoch());
    expect(source.size).toBe(11);
    const ids = async (it: AsyncGenerator<Batch>) => {
      const out: { ids: string[]; emo: number[]; conf: number[]; hasImages: boolean; shape: number[] }[] = [];
      for await (const b of it) {
        out.push({ ids: b.ids, emo: Array.from(b.emotions.dataSync()), conf: Array.from(b.confounders.dataSync()), hasImages: !!b.images, shape: (b.features ?? b.images)!.shape });
        disposeBatch(b);
      }
      return out;
    };
    const rA = new Rng(42);
    const rB = new Rng(42);
    const before = tf.memory().numTensors;
    const fromLoader = await ids(l.epoch(rA));
    const fromCache = await ids(source.epoch(rB));
    expect(tf.memory().numTensors).toBe(before);
    expect(fromCache.map((b) => b.ids)).toEqual(fromLoader.map((b) => b.ids));
    expect(fromCache.map((b) => b.emo)).toEqual(fromLoader.map((b) => b.emo));
    expect(fromCache.map((b) => b.conf)).toEqual(fromLoader.map((b) => b.conf));
    expect(fromCache.flatMap((b) => b.ids).length).toBe(8); // 11 samples, batch 4, drop last
    expect(fromCache.every((b) => !b.hasImages && b.shape.join() === '4,2,2,8')).toBe(true);
    expect(rB.getState()).toEqual(rA.getState()); // the epoch Rng advanced identically
    // a second epoch is shuffled differently
    const next = await ids(source.epoch(rB));
    expect(next.map((b) => b.ids)).not.toEqual(fromCache.map((b) => b.ids));
    // the features in a batch are the cached rows of those ids
    const b = source.makeBatch([3]);
    const row = cache.table.index.get(b.ids[0]!)!;
    expect(Array.from(b.features!.dataSync())).toEqual(Array.from(cache.table.data.subarray(row * 32, row * 32 + 32)));
    disposeBatch(b);
    bb.dispose();
  });

  it('works with a streaming loader; images that cannot be decoded are left out and counted', async () => {
    const cacheDir = path.join(dir, 'f');
    const garbage = path.join(dir, 'broken.png');
    await fs.writeFile(garbage, 'not a png');
    const samples = [...pixelSamples(5), { id: 'bad', image: { kind: 'file' as const, path: garbage }, emotion: 'anger' }];
    const bb = frozen(6);
    const streaming = loader(samples, { cacheLimitMB: 0, onBadSample: 'skip' });
    const first = await cachedFeatures(bb, streaming, { dir: cacheDir });
    expect(streaming.mode).toBe('stream');
    expect(first.table.ids).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(first.table.skipped).toEqual(['bad']);
    const again = await cachedFeatures(bb, loader(samples, { cacheLimitMB: 0, onBadSample: 'skip' }), { dir: cacheDir });
    expect(again.status).toBe('hit');
    expect(again.table.skipped).toEqual(['bad']);
    // the same features as an in-memory loader computes
    const mem = await cachedFeatures(bb, loader(pixelSamples(5)), { dir: path.join(dir, 'f2') });
    expect(Array.from(again.table.data)).toEqual(Array.from(mem.table.data));
    const source = new CachedFeatureSource(again.table, loader(samples, { cacheLimitMB: 0, onBadSample: 'skip', shuffle: false }));
    const got: string[] = [];
    for await (const b of source.epoch()) {
      got.push(...b.ids);
      disposeBatch(b);
    }
    expect(got).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(source.skipped).toEqual({ 'bad image': 1 });
    bb.dispose();
  });

  it('a table computed over a whole dataset serves any subset (folds) by id; unknown ids are named', async () => {
    const all = pixelSamples(9);
    const bb = frozen(5);
    const { table } = await cachedFeatures(bb, loader(all), { dir: path.join(dir, 'e') });
    const fold = new CachedFeatureSource(table, loader([all[7]!, all[2]!], { shuffle: false }));
    const got: string[] = [];
    for await (const b of fold.epoch()) {
      got.push(...b.ids);
      disposeBatch(b);
    }
    expect(got).toEqual(['s7', 's2']);
    const stranger = new CachedFeatureSource(table, loader([...pixelSamples(12)].slice(9)));
    await expect(stranger.prepare()).rejects.toThrow(/no features for 3 sample\(s\): s9, s10, s11/);
    bb.dispose();
  });
});
