import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { FusedAdam, Rng, activateBackend, adam, setLearningRate } from '@iern/core';

const SHAPES = [[3, 3, 2, 4], [4], [5, 3], [1]];

/** Variables with the same values under a prefix (so two optimisers can train identical copies). */
function makeVars(prefix: string, seed: number): tf.Variable[] {
  const rng = new Rng(seed);
  return SHAPES.map((shape, i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return tf.variable(tf.tensor(Float32Array.from({ length: n }, () => rng.normal()), shape), true, `${prefix}/w${i}`);
  });
}

/** Random gradients for step `step` (a few near zero, where epsilon matters). */
function grads(vars: tf.Variable[], step: number): tf.NamedTensorMap {
  const rng = new Rng(1000 + step);
  const out: tf.NamedTensorMap = {};
  for (const v of vars) out[v.name] = tf.tensor(Float32Array.from({ length: v.size }, (_, i) => (i % 7 === 0 ? 1e-9 : rng.normal() * 0.1)), v.shape);
  return out;
}

function step(opt: tf.Optimizer, vars: tf.Variable[], i: number): void {
  const g = grads(vars, i);
  opt.applyGradients(g);
  tf.dispose(Object.values(g));
}

const values = (ts: tf.Tensor[]) => ts.map((t) => Array.from(t.dataSync()));

/** Largest |a - b| relative to the largest |b| of each tensor. */
function maxRelDiff(a: number[][], b: number[][]): number {
  let d = 0;
  a.forEach((x, i) => {
    const y = b[i]!;
    expect(x.length).toBe(y.length);
    const scale = Math.max(...y.map(Math.abs), 1e-12);
    for (let j = 0; j < x.length; j++) d = Math.max(d, Math.abs(x[j]! - y[j]!) / scale);
  });
  return d;
}

async function weights(opt: tf.Optimizer): Promise<{ names: string[]; shapes: number[][]; values: number[][]; dispose(): void }> {
  const w = await opt.getWeights();
  return {
    names: w.map((x) => x.name),
    shapes: w.map((x) => x.tensor.shape),
    values: values(w.map((x) => x.tensor)),
    dispose: () => {
      for (const x of w) if (!(x.tensor instanceof tf.Variable)) x.tensor.dispose();
    },
  };
}

describe.each(['wasm', 'cpu'])('FusedAdam on %s', (backend) => {
  beforeAll(async () => {
    await activateBackend(backend);
  });

  it('matches tf.train.adam step by step, with a learning-rate change, and getWeights in the same layout', async () => {
    const ref = makeVars('ref', 1);
    const mine = makeVars('mine', 1);
    const refOpt = tf.train.adam(0.01, 0.9, 0.999);
    const opt = adam(0.01, 0.9, 0.999);
    for (let i = 0; i < 30; i++) {
      if (i === 10) {
        setLearningRate(refOpt, 0.003);
        setLearningRate(opt, 0.003);
      }
      step(refOpt, ref, i);
      step(opt, mine, i);
    }
    expect(maxRelDiff(values(mine), values(ref))).toBeLessThan(1e-6);
    // The weights moved (the comparison can fail).
    const fresh = makeVars('fresh', 1);
    expect(maxRelDiff(values(mine), values(fresh))).toBeGreaterThan(1e-2);
    tf.dispose(fresh);
    const a = await weights(opt);
    const b = await weights(refOpt);
    expect(a.names).toEqual(b.names.map((n) => n.replaceAll('ref/', 'mine/')));
    expect(a.names[1]).toBe('mine/w0/m');
    expect(a.names[1 + SHAPES.length]).toBe('mine/w0/v');
    expect(a.shapes).toEqual(b.shapes);
    expect(a.values[0]).toEqual([30]);
    expect(maxRelDiff(a.values, b.values)).toBeLessThan(1e-6);
    a.dispose();
    b.dispose();
    tf.dispose([...ref, ...mine]);
    refOpt.dispose();
    opt.dispose();
  });

  it('continues identically after getWeights/setWeights mid-way, also from a tf.AdamOptimizer state', async () => {
    const straight = makeVars('straight', 2);
    const resumed = makeVars('resumed', 2);
    const fromTfjs = makeVars('fromTfjs', 2);
    const opt = adam(0.01, 0.5, 0.9);
    const tfjsOpt = tf.train.adam(0.01, 0.5, 0.9);
    for (let i = 0; i < 7; i++) {
      step(opt, straight, i);
      step(tfjsOpt, fromTfjs, i);
    }
    const saved = await opt.getWeights();
    const savedTfjs = await tfjsOpt.getWeights();
    resumed.forEach((v, i) => v.assign(straight[i]!));
    const restored = new FusedAdam(0.01, 0.5, 0.9);
    await restored.setWeights(saved);
    const restoredTfjs = new FusedAdam(0.01, 0.5, 0.9);
    await restoredTfjs.setWeights(savedTfjs);
    tf.dispose(saved.map((w) => w.tensor)); // the optimiser keeps no reference to them
    for (let i = 7; i < 15; i++) {
      step(opt, straight, i);
      step(restored, resumed, i);
      step(restoredTfjs, fromTfjs, i);
    }
    expect(values(resumed)).toEqual(values(straight));
    expect(restored.iterations).toBe(15);
    expect(maxRelDiff(values(fromTfjs), values(straight))).toBeLessThan(1e-6);
    tf.dispose(savedTfjs.filter((w) => !(w.tensor instanceof tf.Variable)).map((w) => w.tensor));
    tf.dispose([...straight, ...resumed, ...fromTfjs]);
    for (const o of [opt, tfjsOpt, restored, restoredTfjs]) o.dispose();
  });

  it('keeps the tensor count flat across steps', () => {
    const vars = makeVars('flat', 3);
    const opt = adam(0.01);
    step(opt, vars, 0);
    const before = tf.memory().numTensors;
    for (let i = 1; i < 5; i++) step(opt, vars, i);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(vars);
    opt.dispose();
  });
});
