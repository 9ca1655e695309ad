import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { loadCheckpoint, readMetrics, type MetricRecord, type TrainerHooks } from '@iern/core';
import { tempDir, trainInProcess, writeConfig } from './run-helpers.js';

/** Epoch means and evaluations: what must match between runs (timings excluded). */
function comparable(records: MetricRecord[]) {
  return records
    .filter((r) => r.kind !== 'train')
    .map(({ time: _t, seconds: _s, images_per_s: _i, ...rest }) => rest);
}

function maxAbsDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  let m = 0;
  for (const [k, x] of a) {
    const y = b.get(k)!;
    expect(y.length, k).toBe(x.length);
    for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  }
  return m;
}

describe('resume', () => {
  const cfg = writeConfig();

  it('a run interrupted mid-epoch 2 and resumed from last.ckpt ends with the same weights and metrics', async () => {
    const dirA = tempDir('full');
    const fullCounts: number[] = [];
    const full = await trainInProcess(cfg, [], { workDir: dirA, hooks: [{ onStepEnd: (i) => void fullCounts.push(i.numTensors) }] });

    const dirB = tempDir('crash');
    const crash: TrainerHooks = {
      onStepEnd(info) {
        if (info.epoch === 1 && info.stepInEpoch === 1) throw new Error('simulated crash');
      },
    };
    await expect(trainInProcess(cfg, [], { workDir: dirB, hooks: [crash] })).rejects.toThrow('simulated crash');
    const saved = await loadCheckpoint(path.join(dirB, 'last.ckpt'));
    expect(saved.meta.epoch).toBe(1);
    expect(saved.meta.extra['rng']).toHaveLength(4);
    expect([...saved.tensors.keys()].some((k) => k.startsWith('opt/head/'))).toBe(true);
    tf.dispose([...saved.tensors.values()]);
    // the interrupted epoch left train records behind; the resume drops them
    expect(readMetrics(path.join(dirB, 'metrics.jsonl')).some((r) => r.epoch === 2)).toBe(true);

    const tensorCounts: number[] = [];
    const count: TrainerHooks = { onStepEnd: (i) => void tensorCounts.push(i.numTensors) };
    const resumed = await trainInProcess(cfg, [], { workDir: dirB, resume: path.join(dirB, 'last.ckpt'), hooks: [count] });
    expect(resumed.result.startEpoch).toBe(1);
    expect(tensorCounts).toHaveLength(2 * 3);
    expect(new Set(tensorCounts).size, 'tensor count flat across resumed steps').toBe(1);
    expect(tensorCounts[0], 'restoring leaks no tensors: same count as the uninterrupted run').toBe(fullCounts.at(-1));

    // bit-exact on the deterministic CPU backend (Adam's beta powers are restored, not recomputed)
    expect(maxAbsDiff(full.weights, resumed.weights)).toBe(0);
    expect(resumed.result.test!.report.confusion).toEqual(full.result.test!.report.confusion);
    const a = comparable(readMetrics(path.join(dirA, 'metrics.jsonl')));
    const b = comparable(readMetrics(path.join(dirB, 'metrics.jsonl')));
    expect(b).toEqual(a);
    // train records: one per step, no duplicates of the interrupted epoch
    expect(readMetrics(path.join(dirB, 'metrics.jsonl')).filter((r) => r.kind === 'train').map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(resumed.result.best?.metric).toBe('accuracy');
    // keep: 2 -> only the newest two epoch checkpoints remain
    expect(readdirSync(dirB).filter((f) => /^epoch_\d+\.ckpt$/.test(f)).sort()).toEqual(['epoch_2.ckpt', 'epoch_3.ckpt']);
    expect(existsSync(path.join(dirB, 'best_accuracy.ckpt'))).toBe(true);
  });

  it('refuses a checkpoint of another class list or architecture, saying which', async () => {
    const dir = tempDir('src');
    await trainInProcess(cfg, ['train.epochs=1'], { workDir: dir });
    const ckpt = path.join(dir, 'last.ckpt');
    await expect(trainInProcess(cfg, ['data.classes=[anger, sadness, happiness]'], { workDir: tempDir('x'), resume: ckpt })).rejects.toThrow(
      /cannot resume from .*last\.ckpt: other classes: the checkpoint has \[anger, happiness, sadness\], the config \[anger, sadness, happiness\]/,
    );
    await expect(trainInProcess(cfg, ['model.backbone.channels=[4, 16]'], { workDir: tempDir('x'), resume: ckpt })).rejects.toThrow(
      /checkpoint does not match this model.*shape/,
    );
    await expect(trainInProcess(cfg, [], { workDir: tempDir('x'), resume: path.join(dir, 'nope.ckpt') })).rejects.toThrow(/checkpoint not found or unreadable: .*nope\.ckpt/);
  });
});

describe('reproducibility', () => {
  const cfg = writeConfig();
  it('train.seed fixes initialisation, data order and augmentation', async () => {
    const run = async (seed: number) => {
      const dir = tempDir('seed');
      const r = await trainInProcess(cfg, [`train.seed=${seed}`, 'train.epochs=2'], { workDir: dir });
      return { weights: r.weights, metrics: comparable(readMetrics(path.join(dir, 'metrics.jsonl'))) };
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(maxAbsDiff(a.weights, b.weights)).toBe(0);
    expect(b.metrics).toEqual(a.metrics);
    expect(maxAbsDiff(a.weights, c.weights)).toBeGreaterThan(1e-4);
  });
});
