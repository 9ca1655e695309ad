import { Rng } from '@iern/core';

export interface ProbeData {
  x: Float32Array[];
  y: number[];
}

export interface ProbeOptions {
  epochs: number;
  lr: number;
  l2: number;
  seed: number;
}

/**
 * A linear probe: multinomial logistic regression on standardised features (statistics from
 * the training rows), full-batch Adam. Trained on `train`, scored on `test`. Returns test
 * accuracy and the majority-class rate of `test` (what a probe that learned nothing gets).
 */
export function linearProbe(train: ProbeData, test: ProbeData, classes: number, opts: Partial<ProbeOptions> = {}): { accuracy: number; chance: number } {
  const o: ProbeOptions = { epochs: 300, lr: 0.05, l2: 1e-3, seed: 0, ...opts };
  const D = train.x[0]?.length ?? 0;
  const N = train.x.length;
  if (N === 0 || D === 0 || test.x.length === 0) return { accuracy: NaN, chance: NaN };
  const mean = new Float64Array(D);
  const std = new Float64Array(D);
  for (const r of train.x) for (let d = 0; d < D; d++) mean[d]! += r[d]! / N;
  for (const r of train.x) for (let d = 0; d < D; d++) std[d]! += (r[d]! - mean[d]!) ** 2 / N;
  for (let d = 0; d < D; d++) std[d] = Math.sqrt(std[d]!) + 1e-6;
  const norm = (r: Float32Array) => Float64Array.from(r, (v, d) => (v - mean[d]!) / std[d]!);
  const X = train.x.map(norm);
  const rng = new Rng(o.seed);
  const W = Float64Array.from({ length: classes * (D + 1) }, () => rng.normal(0, 0.01));
  const m = new Float64Array(W.length);
  const v = new Float64Array(W.length);
  const g = new Float64Array(W.length);
  const p = new Float64Array(classes);
  const logits = (x: Float64Array, out: Float64Array) => {
    for (let k = 0; k < classes; k++) {
      let s = W[k * (D + 1) + D]!;
      for (let d = 0; d < D; d++) s += W[k * (D + 1) + d]! * x[d]!;
      out[k] = s;
    }
  };
  for (let t = 1; t <= o.epochs; t++) {
    g.fill(0);
    X.forEach((x, i) => {
      logits(x, p);
      let mx = -Infinity;
      for (let k = 0; k < classes; k++) mx = Math.max(mx, p[k]!);
      let z = 0;
      for (let k = 0; k < classes; k++) z += p[k] = Math.exp(p[k]! - mx);
      for (let k = 0; k < classes; k++) {
        const err = p[k]! / z - (train.y[i] === k ? 1 : 0);
        const base = k * (D + 1);
        for (let d = 0; d < D; d++) g[base + d]! += (err * x[d]!) / N;
        g[base + D]! += err / N;
      }
    });
    for (let j = 0; j < W.length; j++) {
      const grad = g[j]! + o.l2 * W[j]!;
      m[j] = 0.9 * m[j]! + 0.1 * grad;
      v[j] = 0.999 * v[j]! + 0.001 * grad * grad;
      W[j]! -= (o.lr * (m[j]! / (1 - 0.9 ** t))) / (Math.sqrt(v[j]! / (1 - 0.999 ** t)) + 1e-8);
    }
  }
  let correct = 0;
  const counts = new Array<number>(classes).fill(0);
  test.x.forEach((r, i) => {
    logits(norm(r), p);
    let best = 0;
    for (let k = 1; k < classes; k++) if (p[k]! > p[best]!) best = k;
    if (best === test.y[i]) correct++;
    counts[test.y[i]!]!++;
  });
  return { accuracy: correct / test.x.length, chance: Math.max(...counts) / test.x.length };
}
