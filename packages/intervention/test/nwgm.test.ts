import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@iern/core';
import { combineStrata, stratumPrior } from '../src/index.js';
import { useCpu } from './helpers.js';

beforeAll(useCpu);

/** Normalised weighted geometric mean of the rows' softmaxes: prod_k p_k^w_k / sum. */
function nwgm(perStratum: number[][], weights: number[]): number[] {
  const e = perStratum[0]!.length;
  const logp = perStratum.map((l) => {
    const m = Math.max(...l);
    const z = Math.log(l.reduce((a, v) => a + Math.exp(v - m), 0)) + m;
    return l.map((v) => v - z);
  });
  const g = Array.from({ length: e }, (_, j) => Math.exp(logp.reduce((a, lp, k) => a + weights[k]! * lp[j]!, 0)));
  const s = g.reduce((a, b) => a + b, 0);
  return g.map((v) => v / s);
}

describe('NWGM', () => {
  const per = [
    [
      [2.0, -1.0, 0.5],
      [0.1, 0.3, -2.0],
      [-1.0, 1.5, 0.0],
      [0.7, 0.7, 3.0],
    ],
    [
      [0.0, 0.0, 0.0],
      [5.0, -5.0, 1.0],
      [1.0, 2.0, 3.0],
      [-0.5, 0.2, 0.1],
    ],
  ]; // [N=2, K=4, E=3]

  it('softmax of the mean logits is the normalised geometric mean of the per-stratum softmaxes (uniform prior)', () => {
    const t = tf.tensor3d(per);
    const probs = tf.tidy(() => tf.softmax(combineStrata(t, tf.tensor1d(stratumPrior('uniform', 4, [])))).arraySync());
    per.forEach((rows, n) => {
      const ref = nwgm(rows, [0.25, 0.25, 0.25, 0.25]);
      ref.forEach((v, j) => expect(probs[n]![j]).toBeCloseTo(v, 6));
    });
    // and it is not the arithmetic mean of the softmaxes (the identity is specific)
    const arith = tf.tidy(() => tf.mean(tf.softmax(t), 1).arraySync() as number[][]);
    expect(Math.abs(arith[1]![0]! - probs[1]![0]!)).toBeGreaterThan(1e-3);
    t.dispose();
  });

  it('with an empirical prior the geometric weights follow the stratum frequencies', () => {
    const counts = [10, 30, 0, 60];
    const prior = stratumPrior('empirical', 4, counts);
    expect(prior).toEqual([0.1, 0.3, 0, 0.6]);
    const t = tf.tensor3d(per);
    const probs = tf.tidy(() => tf.softmax(combineStrata(t, tf.tensor1d(prior))).arraySync());
    per.forEach((rows, n) => {
      const ref = nwgm(rows, prior);
      ref.forEach((v, j) => expect(probs[n]![j]).toBeCloseTo(v, 6));
      // a stratum with weight 0 has no influence
      const changed = rows.map((r, k) => (k === 2 ? r.map((v) => v + 50 * (v > 0 ? 1 : -1)) : r));
      expect(nwgm(changed, prior)[0]).toBeCloseTo(ref[0]!, 9);
    });
    t.dispose();
  });

  it('per-sample weights [N, K] combine each row with its own weights', () => {
    const t = tf.tensor3d(per);
    const w = [
      [1, 0, 0, 0],
      [0, 0.5, 0.5, 0],
    ];
    const out = tf.tidy(() => combineStrata(t, tf.tensor2d(w)).arraySync());
    expect(out[0]).toEqual(per[0]![0]);
    out[1]!.forEach((v, j) => expect(v).toBeCloseTo((per[1]![1]![j]! + per[1]![2]![j]!) / 2, 6));
    t.dispose();
  });

  it('rejects an empirical prior that does not fit the strata', () => {
    expect(() => stratumPrior('empirical', 3, [1, 2])).toThrow(ConfigError);
    expect(() => stratumPrior('empirical', 2, [0, 0])).toThrow(/model.strategy.prior/);
  });
});
