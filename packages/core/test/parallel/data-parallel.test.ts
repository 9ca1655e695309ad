import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { fileURLToPath } from 'node:url';
import { DataParallel, Rng, Trainer, activateBackend, type Batch, type DataLoader, type Logger } from '@iern/core';
import { TinyStrategy } from './fixtures/tiny-strategy.js';

const factoryModule = fileURLToPath(new URL('./fixtures/tiny-replica.ts', import.meta.url));
const quiet: Logger = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;

/** A stand-in DataLoader yielding fixed batches (fresh tensors every epoch). */
function fakeLoader(batches: { images: Float32Array; labels: number[] }[], size: number): DataLoader {
  return {
    async prepare() {},
    batchesPerEpoch: () => batches.length,
    async *epoch() {
      for (const b of batches) {
        const n = b.labels.length;
        const batch: Batch = {
          images: tf.tensor4d(b.images, [n, size, size, 3]),
          emotions: tf.tensor1d(b.labels, 'int32'),
          confounders: tf.fill([n], -1, 'int32') as tf.Tensor1D,
          ids: b.labels.map((_, i) => `s${i}`),
          size: n,
        };
        yield batch;
      }
    },
  } as unknown as DataLoader;
}

function makeBatches(rng: Rng, count: number, n: number, size: number) {
  return Array.from({ length: count }, () => ({
    images: Float32Array.from({ length: n * size * size * 3 }, () => rng.normal()),
    labels: Array.from({ length: n }, () => rng.int(3)),
  }));
}

async function values(s: TinyStrategy): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [k, v] of s.namedVariables()) out.set(k, (await v.data()) as Float32Array);
  return out;
}

function maxDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let d = 0;
  for (const [k, x] of a) {
    const y = b.get(k)!;
    for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i]! - y[i]!));
  }
  return d;
}

describe('data-parallel training over worker threads', () => {
  beforeAll(async () => {
    await activateBackend('wasm');
  });
  afterAll(() => undefined);

  // The fused Adam takes the reduced gradients as arrays (the shared buffer); tfjs's Adam gets tensors.
  it.each([
    ['two replicas', 'the fused Adam', {}, 2],
    ['two replicas', "tfjs's Adam", { tfjsAdam: true }, 2],
    ['three replicas (each sums a third of the gradients)', 'the fused Adam', {}, 3],
  ] as const)('%s take the same steps as one with %s (no BatchNorm), also when a batch has one image; flat tensor count', async (_, __, options, replicas) => {
    // Odd batches (shards of 4 and 3) and, mid-epoch, one image: the worker sits that step out
    // and must be resynchronised before the next one.
    const rng = new Rng(3);
    const batches = [...makeBatches(rng, 1, 7, 9), ...makeBatches(rng, 1, 1, 9), ...makeBatches(rng, 1, 7, 9)];
    const single = new TinyStrategy(1, options);
    await new Trainer(quiet, new Rng(0)).fit(single, fakeLoader(batches, 9), { epochs: 2 });

    const main = new TinyStrategy(1, options);
    const dp = await DataParallel.start(main, { replicas, factory: { module: factoryModule, args: { seed: 1, options } }, logger: quiet });
    try {
      const trainer = new Trainer(quiet, new Rng(0));
      const tensorsBefore = tf.memory().numTensors;
      const counts: number[] = [];
      await trainer.fit(main, fakeLoader(batches, 9), {
        epochs: 2,
        reducer: dp,
        hooks: [dp.hooks(), { onStepEnd: (i) => void counts.push(i.numTensors) }],
      });
      expect(maxDiff(await values(main), await values(single))).toBeLessThan(2e-5);
      // Initial moves are nonzero (the test can fail): weights did change.
      const fresh = new TinyStrategy(1, options);
      expect(maxDiff(await values(main), await values(fresh))).toBeGreaterThan(1e-3);
      fresh.dispose();
      expect(new Set(counts.slice(1)).size).toBe(1);
      expect(tf.memory().numTensors - tensorsBefore).toBeLessThanOrEqual(counts[0]! - tensorsBefore);
    } finally {
      await dp.close();
      main.dispose();
      single.dispose();
    }
  });

  it('averages BatchNorm running statistics across replicas at epoch end', async () => {
    // One step of 8 images (shards of 4): each replica's running mean is 0.1 * its shard's mean
    // of conv(x) under the initial weights; their image-weighted average is 0.1 * the batch mean.
    const batches = makeBatches(new Rng(5), 1, 8, 7);
    const main = new TinyStrategy(2, { withBn: true });
    const expected = tf.tidy(() => {
      const h = main.conv.apply(tf.tensor4d(batches[0]!.images, [8, 7, 7, 3]));
      return tf.mul(tf.moments(h, [0, 1, 2]).mean, 0.1).dataSync() as Float32Array;
    });
    const dp = await DataParallel.start(main, { replicas: 2, factory: { module: factoryModule, args: { seed: 2, options: { withBn: true } } }, logger: quiet });
    try {
      await new Trainer(quiet, new Rng(0)).fit(main, fakeLoader(batches, 7), { epochs: 1, reducer: dp, hooks: [dp.hooks()] });
      const rm = (await main.bn!.runningMean.data()) as Float32Array;
      expect(Math.max(...expected.map((x) => Math.abs(x)))).toBeGreaterThan(1e-3);
      for (let i = 0; i < rm.length; i++) expect(rm[i]).toBeCloseTo(expected[i]!, 5);
    } finally {
      await dp.close();
      main.dispose();
    }
  });

  it('a replica that fails mid-step fails the step with its error', async () => {
    const batches = makeBatches(new Rng(6), 3, 6, 7);
    const main = new TinyStrategy(3);
    const dp = await DataParallel.start(main, { replicas: 2, factory: { module: factoryModule, args: { seed: 3, options: { failAtStep: 1 } } }, logger: quiet });
    try {
      await expect(new Trainer(quiet, new Rng(0)).fit(main, fakeLoader(batches, 7), { epochs: 1, reducer: dp })).rejects.toThrow(/replica 1: .*failing at step 1 as asked/);
    } finally {
      await dp.close();
      main.dispose();
    }
  });
});
