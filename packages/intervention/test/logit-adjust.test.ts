import * as tf from '@tensorflow/tfjs-core';
import { container } from 'tsyringe';
import { beforeAll, describe, expect, it } from 'vitest';
import { Registries, Rng, TOKENS, crossEntropy, type Batch, type Strategy } from '@iern/core';
import plugin from '../src/index.js';
import { LogitAdjustment } from '../src/logit-adjust/index.js';
import { disposeBatch, stepContext, tinyContext, toyBatch, useCpu } from './helpers.js';

beforeAll(useCpu);

const ctx = (labelCounts?: number[][]) => ({ classes: ['a', 'b'], confounders: ['s0', 's1'], labelCounts });

describe('LogitAdjustment', () => {
  it('holds tau * log of the smoothed P(y | z) per confounder and a zero row for unknown ones', () => {
    const adj = new LogitAdjustment(ctx([[10, 0], [5, 5]]), { tau: 2, smoothing: 1 });
    const t = adj.values();
    expect(t[0]![0]).toBeCloseTo(2 * Math.log(11 / 12), 5);
    expect(t[0]![1]).toBeCloseTo(2 * Math.log(1 / 12), 5);
    expect(t[1]![0]).toBeCloseTo(2 * Math.log(0.5), 5);
    expect(t[2]).toEqual([0, 0]);
    const logits = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const conf = tf.tensor1d([1, -1, 0], 'int32');
    const out = adj.apply(logits, conf).arraySync();
    expect(out[0]![0]).toBeCloseTo(1 + 2 * Math.log(0.5), 5);
    expect(out[1]).toEqual([3, 4]);
    expect(out[2]![1]).toBeCloseTo(6 + 2 * Math.log(1 / 12), 5);
    tf.dispose([logits, conf]);
    adj.dispose();
  });

  it('refuses data without per-confounder label counts, naming what is missing', () => {
    expect(() => new LogitAdjustment(ctx(undefined), { tau: 1, smoothing: 1 })).toThrow(/label counts per confounder/);
    expect(() => new LogitAdjustment(ctx([[1, 2, 3], [1, 2, 3]]), { tau: 1, smoothing: 1 })).toThrow(/'s0' have 3 classes, expected 2/);
  });
});

/**
 * Cached backbone features that show only the confounder (channel z is 1), with labels that
 * follow it in 3 of 4 samples: all a linear head can learn is the association.
 */
function confoundedBatch(n: number, seed: number): Batch {
  const rng = new Rng(seed);
  const z = Array.from({ length: n }, (_, i) => i % 2);
  const y = z.map((k, i) => (Math.floor(i / 2) % 4 === 3 ? 1 - k : k));
  const f = new Float32Array(n * 4 * 4 * 6).map((_, j) => (j % 6 === z[Math.floor(j / 96)]! ? 1 : 0) + rng.normal(0, 0.05));
  return { features: tf.tensor4d(f, [n, 4, 4, 6]), emotions: tf.tensor1d(y, 'int32'), confounders: tf.tensor1d(z, 'int32'), ids: z.map((_, i) => `f${i}`), size: n };
}

async function buildBaseline(logitAdjust: boolean): Promise<Strategy> {
  const registries = new Registries();
  const child = container.createChildContainer();
  await plugin.register(registries, child);
  child.register(TOKENS.ModelContext, { useValue: { ...tinyContext({ seed: 3 }), labelCounts: [[12, 4], [4, 12]] } });
  const cfg = { type: 'baseline', warmupEpochs: 0, lr: 3e-2, ...(logitAdjust ? { logitAdjust: { tau: 1, smoothing: 1e-3 } } : {}) };
  return registries.strategies.build(cfg, child, 'model.strategy');
}

/** Mean predicted P(class 1) on source 1 minus on source 0, after training. */
async function confounderShift(logitAdjust: boolean): Promise<number> {
  const s = await buildBaseline(logitAdjust);
  const batch = confoundedBatch(32, 1);
  for (let i = 0; i < 150; i++) await s.trainStep(batch, stepContext(i));
  const p = s.predict(batch);
  const prob = tf.tidy(() => tf.softmax(p.logits).arraySync());
  const mean = (k: number) => prob.filter((_, i) => i % 2 === k).reduce((a, r) => a + r[1]!, 0) / (prob.length / 2);
  p.logits.dispose();
  disposeBatch(batch);
  s.dispose();
  return mean(1) - mean(0);
}

describe('baseline with logitAdjust', () => {
  it('trains on the adjusted logits and predicts with the plain ones', async () => {
    const s = await buildBaseline(true);
    const batch = confoundedBatch(8, 2);
    const p = s.predict(batch);
    const adj = new LogitAdjustment(ctx([[12, 4], [4, 12]]), { tau: 1, smoothing: 1e-3 });
    const [plainCe, adjustedCe] = tf.tidy(() => [crossEntropy(p.logits, batch.emotions).dataSync()[0]!, crossEntropy(adj.apply(p.logits, batch.confounders), batch.emotions).dataSync()[0]!]);
    const { loss } = await s.trainStep(batch, stepContext(0));
    expect(loss).toBeCloseTo(adjustedCe, 4);
    expect(Math.abs(loss! - plainCe)).toBeGreaterThan(0.05);
    adj.dispose();
    p.logits.dispose();
    disposeBatch(batch);
    s.dispose();
  });

  it('learns the confounder-label association without it and not with it', async () => {
    // Without: P(y = z) = 0.75 is read off the confounder channel (shift near 0.5). With: the prior explains it.
    const plain = await confounderShift(false);
    const adjusted = await confounderShift(true);
    expect(plain).toBeGreaterThan(0.4);
    expect(Math.abs(adjusted)).toBeLessThan(0.05);
  });
});

describe('backdoor with logitAdjust', () => {
  it('adjusts the classifier step loss only (same critic and feature steps from the same start)', async () => {
    const losses = async (logitAdjust: boolean) => {
      const registries = new Registries();
      const child = container.createChildContainer();
      await plugin.register(registries, child);
      child.register(TOKENS.ModelContext, { useValue: { ...tinyContext({ seed: 4 }), labelCounts: [[12, 4], [4, 12]] } });
      const cfg = { type: 'backdoor', featureChannels: 8, encoderBlocks: 1, decoderBlocks: 1, warmupEpochs: 0, ...(logitAdjust ? { logitAdjust: { tau: 1 } } : {}) };
      const s: Strategy = await registries.strategies.build(cfg, child, 'model.strategy');
      const batch = toyBatch(8, 5);
      const out = await s.trainStep(batch, stepContext(0));
      disposeBatch(batch);
      s.dispose();
      return out;
    };
    const plain = await losses(false);
    const adjusted = await losses(true);
    expect(adjusted['critic']).toBeCloseTo(plain['critic']!, 6);
    expect(adjusted['feature']).toBeCloseTo(plain['feature']!, 6);
    expect(Math.abs(adjusted['cls']! - plain['cls']!)).toBeGreaterThan(0.01);
  });
});
