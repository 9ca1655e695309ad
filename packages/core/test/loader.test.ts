import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import sharp from 'sharp';
import { DataLoader, Rng, augmentSchema, buildAugment, decodeSample, disposeBatch, type Sample } from '@iern/core';

const dir = mkdtempSync(path.join(tmpdir(), 'iern-loader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await tf.setBackend('cpu');
});

const S = 12;
function pixelSample(i: number): Sample {
  const data = new Uint8Array(S * S * 3);
  for (let p = 0; p < data.length; p++) data[p] = (p * 7 + i * 31) % 256;
  return { id: `p${i}`, image: { kind: 'pixels', width: S, height: S, channels: 3, data }, emotion: i % 2 ? 'happiness' : 'sadness', confounder: i % 3 ? 'a' : 'b' };
}
const base = {
  height: S, width: S, channels: 3 as const, batchSize: 4, classes: ['happiness', 'sadness'], confounders: ['a', 'b'],
  normalization: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }, shuffle: true,
};
const published = buildAugment(augmentSchema.parse({
  hflip: true, randomCrop: true, blur: { p: 0.5, radius: [0.1, 1.5] }, brightness: [0.8, 1.2], contrast: [0.75, 1.5],
  affine: { degrees: 10, translate: 0.2, scale: [0.8, 1.2], shear: 8 },
}));

async function collect(loader: DataLoader, seed: number): Promise<{ ids: string[][]; images: number[][] }> {
  const out = { ids: [] as string[][], images: [] as number[][] };
  for await (const b of loader.epoch(new Rng(seed))) {
    out.ids.push(b.ids);
    out.images.push(Array.from(b.images!.dataSync()));
    disposeBatch(b);
  }
  return out;
}

describe('DataLoader', () => {
  it('decodes raw pixels exactly, normalises, and maps labels by index', async () => {
    const samples = [0, 1, 2].map(pixelSample);
    const img = await decodeSample(samples[1]!, { height: S, width: S, channels: 3 });
    expect(img.data[5]).toBeCloseTo(samples[1]!.image.kind === 'pixels' ? samples[1]!.image.data[5]! / 255 : 0, 6);
    const loader = new DataLoader(samples, { ...base, shuffle: false });
    await loader.prepare();
    const b = loader.makeBatch([1, 2]);
    const x = b.images!.dataSync();
    expect(x[0]).toBeCloseTo((((7 * 0 + 31) % 256) / 255 - 0.5) / 0.5, 5);
    expect(Array.from(b.emotions.dataSync())).toEqual([0, 1]);
    expect(Array.from(b.confounders.dataSync())).toEqual([0, 0]);
    disposeBatch(b);
  });

  it('augmented epochs are deterministic for a seed, and worker-built batches equal main-thread ones', async () => {
    const samples = Array.from({ length: 10 }, (_, i) => pixelSample(i));
    const main = new DataLoader(samples, { ...base, augment: published });
    const a = await collect(main, 5);
    const again = await collect(main, 5);
    expect(again).toEqual(a);
    const other = await collect(main, 6);
    expect(other.images).not.toEqual(a.images);
    const before = tf.memory().numTensors;
    const workers = new DataLoader(samples, { ...base, augment: published, workers: 2 });
    const w = await collect(workers, 5);
    expect(w.ids).toEqual(a.ids);
    for (let i = 0; i < a.images.length; i++) w.images[i]!.forEach((v, k) => expect(v).toBeCloseTo(a.images[i]![k]!, 5));
    expect(tf.memory().numTensors).toBe(before);
    await workers.close();
  });

  it('decodes jpg, png, tiff and webp, grey or colour, to the requested channels', async () => {
    for (const ext of ['jpg', 'png', 'tiff', 'webp']) {
      for (const channels of [1, 3] as const) {
        const file = path.join(dir, `img${channels}.${ext}`);
        let img = sharp(Buffer.alloc(6 * 4 * channels, 200), { raw: { width: 6, height: 4, channels } });
        img = ext === 'jpg' ? img.jpeg({ quality: 100 }) : ext === 'png' ? img.png() : ext === 'tiff' ? img.tiff() : img.webp({ lossless: true });
        await img.toFile(file);
        for (const want of [1, 3] as const) {
          const d = await decodeSample({ id: file, image: { kind: 'file', path: file }, emotion: 'x' }, { height: 3, width: 3, channels: want });
          expect(d.data).toHaveLength(9 * want);
          d.data.forEach((v) => expect(v).toBeCloseTo(200 / 255, 1));
        }
      }
    }
  });

  it('streams when the cache would exceed cacheLimitMB: same batches as the memory mode, bad files counted once', async () => {
    const samples = Array.from({ length: 10 }, (_, i) => pixelSample(i));
    const memory = new DataLoader(samples, { ...base, augment: published });
    const stream = new DataLoader(samples, { ...base, augment: published, cacheLimitMB: 0 });
    const streamW = new DataLoader(samples, { ...base, augment: published, cacheLimitMB: 0, workers: 1 });
    const a = await collect(memory, 9);
    const b = await collect(stream, 9);
    expect(stream.mode).toBe('stream');
    expect(memory.mode).toBe('memory');
    expect(b.ids).toEqual(a.ids);
    for (let i = 0; i < a.images.length; i++) b.images[i]!.forEach((v, k) => expect(v).toBeCloseTo(a.images[i]![k]!, 5));
    const c = await collect(streamW, 9);
    for (let i = 0; i < a.images.length; i++) c.images[i]!.forEach((v, k) => expect(v).toBeCloseTo(a.images[i]![k]!, 5));
    await streamW.close();
    expect(() => stream.makeBatch([0])).toThrow(/makeBatchAsync/);
    const one = await stream.makeBatchAsync([2, 3]);
    expect(one.ids).toEqual(['p2', 'p3']);
    disposeBatch(one);
    // a missing file in streaming mode: counted once over two epochs, left out of its batch
    const withBad = [...samples.slice(0, 3), { id: 'gone', image: { kind: 'file' as const, path: path.join(dir, 'gone.png') }, emotion: 'happiness' }];
    const sb = new DataLoader(withBad, { ...base, shuffle: false, cacheLimitMB: 0, onBadSample: 'skip' });
    const e1 = await collect(sb, 1);
    await collect(sb, 2);
    expect(e1.ids).toEqual([['p0', 'p1', 'p2']]);
    expect(sb.skipped).toEqual({ 'bad image': 1 });
    const strict = new DataLoader(withBad, { ...base, cacheLimitMB: 0 });
    await expect(collect(strict, 1)).rejects.toThrow(/gone\.png: cannot decode/);
  });

  it('outside a test runner, an epoch with workers completes, close() returns, and the process exits', () => {
    // vitest keeps the event loop alive; a plain process shows whether the pool refs it while needed
    const tmp = mkdtempSync(path.join(fileURLToPath(new URL('.', import.meta.url)), '.tmp-loader-'));
    try {
      const script = path.join(tmp, 'run.ts');
      writeFileSync(script, `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { DataLoader, Rng, augmentSchema, buildAugment, disposeBatch } from '../../src/index.ts';
await tf.setBackend('cpu');
const aug = buildAugment(augmentSchema.parse({ hflip: true }));
const samples = Array.from({ length: 12 }, (_, i) => ({ id: String(i), image: { kind: 'pixels' as const, width: 8, height: 8, channels: 3 as const, data: new Uint8Array(192).fill(i) }, emotion: 'a' }));
for (const cacheLimitMB of [2048, 0]) {
  const l = new DataLoader(samples, { height: 8, width: 8, channels: 3, batchSize: 4, classes: ['a'], confounders: [], normalization: { mean: [0, 0, 0], std: [1, 1, 1] }, shuffle: true, augment: aug, workers: 2, cacheLimitMB });
  let n = 0;
  for await (const b of l.epoch(new Rng(1))) { n += b.size; disposeBatch(b); }
  await l.close();
  console.log(l.mode + " " + n);
}
`);
      const tsx = path.join(fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url)));
      const r = spawnSync(tsx, ['--tsconfig', fileURLToPath(new URL('../tsconfig.json', import.meta.url)), script], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim().split('\n')).toEqual(['memory 12', 'stream 12']);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('bad images stop with the file name, or are counted with onBadSample=skip; face boxes are cropped', async () => {
    const good = path.join(dir, 'good.png');
    await sharp({ create: { width: 20, height: 10, channels: 3, background: { r: 0, g: 0, b: 0 } } })
      .composite([{ input: { create: { width: 10, height: 10, channels: 3, background: { r: 255, g: 255, b: 255 } } }, left: 10, top: 0 }])
      .png()
      .toFile(good);
    const bad = path.join(dir, 'bad.jpg');
    writeFileSync(bad, 'not a jpeg');
    const s = (p: string, box?: Sample['box']): Sample => ({ id: p, image: { kind: 'file', path: p }, emotion: 'happiness', ...(box ? { box } : {}) });
    const strict = new DataLoader([s(good), s(bad)], { ...base, shuffle: false });
    await expect(strict.prepare()).rejects.toThrow(/bad\.jpg: cannot decode image.*onBadSample=skip/);
    const lenient = new DataLoader([s(good, { x: 10, y: 0, width: 10, height: 10 }), s(bad), s(path.join(dir, 'missing.png'))], { ...base, shuffle: false, onBadSample: 'skip' });
    await lenient.prepare();
    expect(lenient.size).toBe(1);
    expect(lenient.skipped).toEqual({ 'bad image': 2 });
    const b = lenient.makeBatch([0]);
    expect(Math.min(...b.images!.dataSync())).toBeCloseTo(1, 3); // the white half only
    disposeBatch(b);
  });
});
