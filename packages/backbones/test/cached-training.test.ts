import { beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { container } from 'tsyringe';
import { DataLoader, MemoryLogger, Rng, TOKENS, Trainer, cachedFeatureSource, type BatchSource, type ModelContext } from '@iern/core';
import { SmallResNet } from '@iern/backbones';
import { makeToyShapes } from '@iern/datasets';
import { BaselineStrategy } from '@iern/intervention';
import { useCpu } from './helpers.js';

beforeAll(useCpu);

const classes = ['anger', 'happiness', 'sadness'];
const half = { mean: [0.5, 0.5, 0.5] as [number, number, number], std: [0.5, 0.5, 0.5] as [number, number, number] };

/** Trains the baseline head on a frozen backbone, from images or from cached features. */
async function train(useCache: boolean, dir: string): Promise<{ losses: number[]; numTensors: number[] }> {
  const data = makeToyShapes({ perClass: 8, size: 16, classes, noise: 10, split: 'train', seed: 2 });
  const backbone = new SmallResNet({ channels: [8, 16], blocksPerStage: 1, stem: 8, inputChannels: 3, freeze: true, seed: 7, normalization: half });
  const loader = new DataLoader(data.samples, { height: 16, width: 16, channels: 3, batchSize: 6, classes, confounders: data.confounders, normalization: half, shuffle: true });
  let source: BatchSource = loader;
  if (useCache) source = (await cachedFeatureSource(backbone, loader, { dir })).source;
  const ctx: ModelContext = {
    backbone, classes, confounders: data.confounders, confounderCounts: [], inputShape: [16, 16, 3],
    featureShape: [4, 4, 16], epochs: 3, stepsPerEpoch: source.batchesPerEpoch(), seed: 1,
  };
  const strategy = new BaselineStrategy(ctx, { lr: 0.01, backboneLr: 0.01, betas: [0.9, 0.999], warmupEpochs: 0 });
  const child = container.createChildContainer();
  child.register(TOKENS.Logger, { useValue: new MemoryLogger() });
  child.register(TOKENS.Rng, { useValue: new Rng(5) });
  const losses: number[] = [];
  const numTensors: number[] = [];
  // the Trainer is typed on DataLoader today; BatchSource is the structural subset it uses
  await child.resolve(Trainer).fit(strategy, source as DataLoader, {
    epochs: 3,
    hooks: [{ onStepEnd: (i) => void (losses.push(i.losses['loss']!), numTensors.push(i.numTensors)) }],
  });
  strategy.dispose();
  backbone.dispose();
  return { losses, numTensors };
}

describe('training on cached features', () => {
  it('gives the same losses as running the frozen backbone every step, with a flat tensor count', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'iern-ct-'));
    try {
      const live = await train(false, dir);
      const cached = await train(true, dir);
      expect(cached.losses.length).toBe(12);
      cached.losses.forEach((l, i) => expect(l).toBeCloseTo(live.losses[i]!, 4));
      expect(new Set(cached.numTensors.slice(1)).size).toBe(1);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
