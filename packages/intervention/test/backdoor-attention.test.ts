import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@iern/core';
import { BackdoorAttentionStrategy, alignClusters, backdoorAttentionOptions, kmeans } from '../src/index.js';
import { disposeBatch, stepContext, tinyContext, toyBatch, toyTrainingSet, useCpu } from './helpers.js';

beforeAll(useCpu);

describe('kmeans', () => {
  it('finds well-separated clusters and their sizes', () => {
    const rng = new Rng(1);
    const centres = [
      [0, 0],
      [10, 0],
      [0, 10],
    ];
    const sizes = [5, 12, 8];
    const pts: number[] = [];
    const truth: number[] = [];
    sizes.forEach((n, j) => {
      for (let i = 0; i < n; i++) {
        pts.push(centres[j]![0]! + rng.normal(0, 0.3), centres[j]![1]! + rng.normal(0, 0.3));
        truth.push(j);
      }
    });
    const r = kmeans(new Float32Array(pts), truth.length, 2, 3, 20, new Rng(2));
    expect([...r.counts].sort((a, b) => a - b)).toEqual([5, 8, 12]);
    // same truth cluster -> same k-means cluster
    for (let i = 1; i < truth.length; i++) if (truth[i] === truth[i - 1]) expect(r.assign[i]).toBe(r.assign[i - 1]);
    expect(() => kmeans(new Float32Array(4), 2, 2, 3, 5, new Rng(0))).toThrow(/at least 3/);
  });
});

describe('alignClusters', () => {
  it('keeps cluster ids stable across a refresh', () => {
    const prev = new Float32Array([0, 0, 10, 0, 0, 10]);
    const next = new Float32Array([0.2, 9.5, 0.1, -0.3, 9.8, 0.4]); // same clusters, shuffled
    expect(alignClusters(prev, next, 3, 2)).toEqual([1, 2, 0]);
  });
});

describe('backdoor-attention', () => {
  const opts = backdoorAttentionOptions.parse({ featureChannels: 8, encoderBlocks: 1, decoderBlocks: 1, warmupEpochs: 0, lr: 3e-3, clusters: 3, refreshEvery: 2 });

  it('needs its dictionary before training, and builds it from the training set without confounder labels', async () => {
    const s = new BackdoorAttentionStrategy(tinyContext(), opts);
    const batch = toyBatch(8, 1);
    batch.confounders.dispose();
    batch.confounders = tf.fill([8], -1, 'int32') as tf.Tensor1D;
    await expect(s.trainStep(batch, stepContext(0))).rejects.toThrow(/dictionary is not built/);
    await s.onEpochStart({ epoch: 0, iterateTrainingSet: toyTrainingSet(3, 8, 10) });
    const state = s.getState();
    expect(state['refreshedAt']).toBe(0);
    expect((state['clusterSizes'] as number[]).reduce((a, b) => a + b, 0)).toBe(24);
    const prior = Array.from(s.dict.prior.dataSync());
    (state['clusterSizes'] as number[]).forEach((c, k) => expect(prior[k]).toBeCloseTo(c / 24, 6));
    const losses = await s.trainStep(batch, stepContext(0));
    expect(Number.isFinite(losses['cls']!)).toBe(true);
    s.dispose();
    disposeBatch(batch);
  });

  it('refreshes every N epochs only', async () => {
    const s = new BackdoorAttentionStrategy(tinyContext(), opts);
    const seen: number[] = [];
    const counts: number[] = [];
    for (let epoch = 0; epoch < 5; epoch++) {
      await s.onEpochStart({ epoch, iterateTrainingSet: toyTrainingSet(2, 8, 10) });
      seen.push(s.getState()['refreshedAt'] as number);
      counts.push(tf.memory().numTensors);
    }
    expect(seen).toEqual([0, 0, 2, 2, 4]);
    // a refresh disposes the training batches it consumed
    expect(new Set(counts).size).toBe(1);
    await expect(s.onEpochStart({ epoch: 6 })).rejects.toThrow(/iterateTrainingSet/);
    s.dispose();
  });

  it('clusters the pooled backbone feature with source: backbone', async () => {
    const s = new BackdoorAttentionStrategy(tinyContext(), backdoorAttentionOptions.parse({ ...opts, source: 'backbone', clusters: 2 }));
    await s.onEpochStart({ epoch: 0, iterateTrainingSet: toyTrainingSet(2, 8, 20) });
    // the toy's two tints separate the pooled adapter output into two equal clusters
    expect([...(s.getState()['clusterSizes'] as number[])].sort()).toEqual([8, 8]);
    const batch = toyBatch(8, 3);
    expect(Number.isFinite((await s.trainStep(batch, stepContext(0)))['cls']!)).toBe(true);
    s.dispose();
    disposeBatch(batch);
  });

  it('predicts the attention-and-prior weighted NWGM of the per-stratum logits', async () => {
    const s = new BackdoorAttentionStrategy(tinyContext(), opts);
    await s.onEpochStart({ epoch: 0, iterateTrainingSet: toyTrainingSet(3, 8, 10) });
    const batch = toyBatch(5, 2);
    const p = s.predict(batch);
    expect(p.perStratumLogits!.shape).toEqual([5, 3, 2]);
    const w = tf.tidy(() => {
      const e = s.net.ge.apply(s.net.adapter.apply(tinyContextBackbone(s).apply(batch.images!, false)), false);
      return s.attention.weights(e, s.dict.centres as tf.Tensor2D, s.dict.prior as tf.Tensor1D).arraySync();
    });
    const per = p.perStratumLogits!.arraySync();
    const logits = p.logits.arraySync();
    w.forEach((row) => expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5));
    per.forEach((rows, n) => rows[0]!.forEach((_, j) => expect(logits[n]![j]).toBeCloseTo(rows.reduce((a, r, k) => a + w[n]![k]! * r[j]!, 0), 5)));
    tf.dispose([p.logits, p.perStratumLogits!]);
    s.dispose();
    disposeBatch(batch);
  });
});

function tinyContextBackbone(s: BackdoorAttentionStrategy) {
  return (s as unknown as { ctx: ReturnType<typeof tinyContext> }).ctx.backbone;
}
