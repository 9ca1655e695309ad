import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { container } from 'tsyringe';
import { DataLoader, MemoryLogger, Rng, TOKENS, Trainer, type ModelContext } from '@iern/core';
import { SmallCnn } from '@iern/backbones';
import { makeToyShapes } from '@iern/datasets';
import { BaselineStrategy } from '@iern/intervention';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function setup(seed = 0) {
  const classes = ['anger', 'happiness', 'sadness'];
  const train = makeToyShapes({ perClass: 12, size: 8, classes, noise: 10, split: 'train', seed });
  const backbone = new SmallCnn({ channels: [4, 8], convsPerStage: 1, inputChannels: 3, freeze: false, seed, normalization: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } });
  const loader = new DataLoader(train.samples, {
    height: 8, width: 8, channels: 3, batchSize: 6, classes, confounders: train.confounders,
    normalization: backbone.normalization, shuffle: true,
  });
  const ctx: ModelContext = {
    backbone, classes, confounders: train.confounders, confounderCounts: [18, 18], inputShape: [8, 8, 3],
    featureShape: [2, 2, 8], epochs: 3, stepsPerEpoch: loader.batchesPerEpoch(), seed,
  };
  const strategy = new BaselineStrategy(ctx, { lr: 0.01, backboneLr: 0.01, betas: [0.9, 0.999], warmupEpochs: 0 });
  const child = container.createChildContainer();
  child.register(TOKENS.Logger, { useValue: new MemoryLogger() });
  child.register(TOKENS.Rng, { useValue: new Rng(seed) });
  return { loader, strategy, trainer: child.resolve(Trainer), classes, backbone };
}

describe('Trainer', () => {
  it('keeps the tensor count flat across training steps and lowers the loss', async () => {
    const { loader, strategy, trainer, backbone } = setup();
    const counts: number[] = [];
    const epochLoss: number[] = [];
    await trainer.fit(strategy, loader, {
      epochs: 3,
      hooks: [{ onStepEnd: (i) => void counts.push(i.numTensors), onEpochEnd: (i) => void epochLoss.push(i.losses['loss']!) }],
    });
    expect(counts.length).toBe(18);
    // after the first step (optimiser slots are created lazily) the count never moves
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(epochLoss[2]!).toBeLessThan(epochLoss[0]!);
    const before = tf.memory().numTensors;
    const result = await trainer.evaluate(strategy, loader, ['anger', 'happiness', 'sadness']);
    expect(tf.memory().numTensors).toBe(before);
    expect(result.report.total).toBe(36);
    expect(result.report.confusion.flat().reduce((a, b) => a + b, 0)).toBe(36);
    strategy.dispose();
    backbone.dispose();
  });

  it('is reproducible for a seed', async () => {
    const run = async () => {
      const { loader, strategy, trainer, backbone } = setup(3);
      const losses: number[] = [];
      await trainer.fit(strategy, loader, { epochs: 1, hooks: [{ onStepEnd: (i) => void losses.push(i.losses['loss']!) }] });
      strategy.dispose();
      backbone.dispose();
      return losses;
    };
    expect(await run()).toEqual(await run());
  });
});
