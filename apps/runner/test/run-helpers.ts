import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MemoryLogger } from '@iern/core';
import { assembleExperiment, resolveConfig, trainAndEvaluate, type RunOptions } from '@iern/runner';

/** A tiny deterministic CPU experiment (a few seconds per run). */
export const TINY = `
name: tiny
backend: cpu
model:
  backbone: { type: small-cnn, channels: [4, 8] }
  strategy: { type: baseline, lr: 0.01, backboneLr: 0.01, betas: [0.9, 0.999], warmupEpochs: 1 }
data:
  train: { type: toy-shapes, perClass: 6, size: 8, split: train, classes: [anger, happiness, sadness] }
  test: { type: toy-shapes, perClass: 3, size: 8, split: test, classes: [anger, happiness, sadness] }
  imageSize: 8
  channels: 3
  augment: { hflip: true }
train: { epochs: 3, batchSize: 6, logInterval: 1, evalInterval: 1, checkpoint: { interval: 1, keep: 2, metric: accuracy } }
`;

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `iern-${prefix}-`));
}

/** Writes `yaml` into a temp folder and returns the config path. */
export function writeConfig(yaml = TINY): string {
  const file = path.join(tempDir('cfg'), 'tiny.yaml');
  writeFileSync(file, yaml);
  return file;
}

/** Trains in this process; returns final weights by name and the run result. */
export async function trainInProcess(cfg: string, overrides: string[], opts: RunOptions) {
  const resolved = await resolveConfig(cfg, overrides);
  const exp = await assembleExperiment(resolved, { logger: new MemoryLogger() });
  try {
    const result = await trainAndEvaluate(exp, opts);
    const weights = new Map<string, Float32Array>();
    for (const [k, v] of exp.strategy.namedVariables()) weights.set(k, (await v.data()) as Float32Array);
    return { result, weights, exp };
  } finally {
    exp.strategy.dispose();
    exp.backbone.dispose(); // strategies do not own the backbone
  }
}
