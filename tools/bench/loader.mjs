// Loader benchmark row: JPEG decode + resize (sharp) + batching, as `data.train` would load.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { DataLoader, disposeBatch, Rng } from '@iern/core';

/** Writes `count` random 224x224 JPEG faces-to-be into a temporary folder. */
async function writeImages(dir, count) {
  const rng = new Rng(9);
  for (let i = 0; i < count; i++) {
    const raw = Buffer.alloc(224 * 224 * 3);
    for (let j = 0; j < raw.length; j++) raw[j] = (rng.nextUint32() & 0xff);
    await sharp(raw, { raw: { width: 224, height: 224, channels: 3 } }).jpeg({ quality: 85 }).toFile(path.join(dir, `${i}.jpg`));
  }
}

/** images/s of one epoch over `count` JPEGs: first epoch = decode + batch, second = cached batches. */
export async function loaderRow(cfg, count = 128) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iern-bench-'));
  try {
    await writeImages(dir, count);
    const samples = Array.from({ length: count }, (_, i) => ({ id: `${i}`, image: { kind: 'file', path: path.join(dir, `${i}.jpg`) }, emotion: 'e0' }));
    const loader = new DataLoader(samples, {
      height: cfg.size,
      width: cfg.size,
      channels: 3,
      batchSize: cfg.batch,
      classes: ['e0'],
      confounders: [],
      normalization: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
      shuffle: true,
    });
    const t0 = performance.now();
    await loader.prepare();
    for await (const b of loader.epoch(new Rng(1))) disposeBatch(b);
    const first = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    for await (const b of loader.epoch(new Rng(2))) disposeBatch(b);
    const second = (performance.now() - t1) / 1000;
    return { decodePerSec: +(count / first).toFixed(1), cachedPerSec: +(count / second).toFixed(1) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
