import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackdoorStrategy, backdoorOptions, perStratumLogits, type BackdoorOptions } from '../src/index.js';
import { SgdStepContext, TinyBackbone, changed, disposeBatch, snapshot, stepContext, tinyContext, toyBatch, useCpu } from './helpers.js';

beforeAll(useCpu);

const small = (o: Partial<BackdoorOptions> = {}) =>
  backdoorOptions.parse({ featureChannels: 8, encoderBlocks: 1, decoderBlocks: 1, warmupEpochs: 0, lr: 1e-3, ...o });

describe('backdoor: the three steps touch only their own networks', () => {
  let s: BackdoorStrategy;
  let batch: ReturnType<typeof toyBatch>;
  beforeAll(async () => {
    await useCpu();
    s = new BackdoorStrategy(tinyContext(), small({ emotionCritic: { weight: 1, mode: 'confusion', critic: 'pooled' } }));
    batch = toyBatch(8, 1);
  });
  const trainable = () => new Map([...s.namedVariables()].filter(([, v]) => v.trainable));
  afterAll(() => {
    s.dispose();
    disposeBatch(batch);
  });

  it('critic step changes only d_e, d_c, d_ez', async () => {
    const fwd = await s.forward(batch);
    const before = snapshot(trainable());
    await s.criticStep(fwd, batch, stepContext(0));
    const moved = changed(before, snapshot(trainable()));
    s.release(fwd);
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.every((n) => /^d_(e|c|ez)\./.test(n))).toBe(true);
    // every critic learns (biases can get an exactly-zero gradient at init on a balanced batch)
    for (const p of ['d_e.head.', 'd_e.down.weight', 'd_c.head.', 'd_c.down.weight', 'd_ez.hidden.', 'd_ez.out.']) {
      expect(moved.some((n) => n.startsWith(p))).toBe(true);
    }
  });

  it('feature step leaves the critics (and f_c, backbone, adapter) unchanged and moves g_e, g_c, g_r, centres', async () => {
    const fwd = await s.forward(batch);
    const before = snapshot(trainable());
    await s.featureStep(fwd, batch, stepContext(1));
    const moved = changed(before, snapshot(trainable()));
    s.release(fwd);
    expect(moved.filter((n) => /^(d_|f_c|backbone|adapter)/.test(n))).toEqual([]);
    for (const p of ['g_e.conv.', 'g_c.conv.', 'g_r.conv.', 'centres.']) expect(moved.some((n) => n.startsWith(p))).toBe(true);
  });

  it('classifier step leaves g_r, g_c, critics and centres unchanged and moves backbone, adapter, g_e, f_c', async () => {
    const fwd = await s.forward(batch);
    const before = snapshot(trainable());
    await s.classifierStep(fwd, batch, stepContext(2));
    const moved = changed(before, snapshot(trainable()));
    s.release(fwd);
    expect(moved.filter((n) => /^(g_r|g_c|d_|centres)/.test(n))).toEqual([]);
    for (const p of ['backbone.conv.', 'adapter.', 'g_e.conv.', 'f_c.']) expect(moved.some((n) => n.startsWith(p))).toBe(true);
  });

  it('running statistics move once per step, not once per re-run', async () => {
    const rv = s.namedVariables().get('g_e.blocks.0.bn1.running_mean')!;
    const bb = s.namedVariables().get('backbone.bn.running_mean')!;
    const fwd = await s.forward(batch);
    const [afterForward, bbAfter] = [rv.dataSync().slice(), bb.dataSync().slice()];
    await s.criticStep(fwd, batch, stepContext(3));
    await s.featureStep(fwd, batch, stepContext(3));
    await s.classifierStep(fwd, batch, stepContext(3));
    s.release(fwd);
    expect(Array.from(rv.dataSync())).toEqual(Array.from(afterForward));
    expect(Array.from(bb.dataSync())).toEqual(Array.from(bbAfter));
  });
});

describe('backdoor: centres move at full rate while the features feel lambda', () => {
  const lr = 0.05;

  async function featureSgd(lambda: number) {
    const s = new BackdoorStrategy(tinyContext(), small({ lambdaCenter: lambda }));
    const batch = toyBatch(8, 2);
    const fwd = await s.forward(batch);
    const centres0 = s.net.centres!.centres.arraySync() as number[][];
    const c = fwd.c.reshape([8, -1]).arraySync() as number[][];
    const z = Array.from(batch.confounders.dataSync());
    const gc0 = snapshot(s.net.vars('g_c'));
    // gradient of the center loss alone w.r.t. g_c, for the lambda comparison
    const { grads, value } = tf.variableGrads(() => s.net.centres!.loss(s.net.gc.apply(fwd.f, true), fwd.strata), s.net.vars('g_c'));
    const centerGrad = new Map(Object.entries(grads).map(([k, g]) => [k, g.dataSync().slice() as Float32Array]));
    tf.dispose([value, ...Object.values(grads)]);
    fwd.buffers.restore();
    await s.featureStep(fwd, batch, new SgdStepContext(lr));
    const centres1 = s.net.centres!.centres.arraySync() as number[][];
    const gc1 = snapshot(s.net.vars('g_c'));
    s.release(fwd);
    s.dispose();
    disposeBatch(batch);
    return { centres0, centres1, c, z, gc0, gc1, centerGrad };
  }

  it('matches the hand-computed SGD step for any lambda, and lambda scales the features\' share', async () => {
    const a = await featureSgd(5e-4);
    const b = await featureSgd(0.2);
    // hand step: grad of lambda * Center w.r.t. centre_k is lambda * 2/N * sum_{z_i=k}(centre_k - c_i); times 1/lambda
    const n = a.c.length;
    const expected = a.centres0.map((row, k) =>
      row.map((v, j) => v - lr * (2 / n) * a.z.reduce((acc, zi, i) => acc + (zi === k ? v - a.c[i]![j]! : 0), 0)),
    );
    for (const r of [a, b]) r.centres1.forEach((row, k) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[k]![j]!, 4)));
    // g_c: the two runs differ exactly by -lr * (0.2 - 5e-4) * dCenter/dg_c
    let checked = 0;
    const bValues = [...b.gc1.values()];
    const aNames = [...a.gc1.keys()];
    for (const [name, g] of a.centerGrad) {
      const da = a.gc1.get(name)!;
      const db = bValues[aNames.indexOf(name)]!;
      for (let i = 0; i < g.length; i++) {
        const diff = db[i]! - da[i]!;
        expect(diff).toBeCloseTo(-lr * (0.2 - 5e-4) * g[i]!, 4);
        if (Math.abs(g[i]!) > 1e-3) checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('under Adam the first centre step is -lr * sign(centre - mean c) (scale-free)', async () => {
    const s = new BackdoorStrategy(tinyContext(), small({ lr: 1e-3 }));
    const batch = toyBatch(8, 3);
    const fwd = await s.forward(batch);
    const c0 = s.net.centres!.centres.arraySync() as number[][];
    const c = fwd.c.reshape([8, -1]).arraySync() as number[][];
    const z = Array.from(batch.confounders.dataSync());
    await s.featureStep(fwd, batch, stepContext(0));
    const c1 = s.net.centres!.centres.arraySync() as number[][];
    c0.forEach((row, k) =>
      row.forEach((v, j) => {
        const g = z.reduce((acc, zi, i) => acc + (zi === k ? v - c[i]![j]! : 0), 0);
        expect(c1[k]![j]! - v).toBeCloseTo(-1e-3 * Math.sign(g), 5);
      }),
    );
    s.release(fwd);
    s.dispose();
    disposeBatch(batch);
  });
});

describe('backdoor: inference', () => {
  it('logits are the prior-weighted mean of the per-stratum logits (uniform and empirical)', async () => {
    for (const prior of ['uniform', 'empirical'] as const) {
      const s = new BackdoorStrategy(tinyContext({ strata: 3, counts: [1, 3, 6] }), small({ prior }));
      const batch = toyBatch(6, 4, { strata: 3 });
      await s.trainStep(batch, stepContext(0));
      const p = s.predict(batch);
      expect(p.perStratumLogits!.shape).toEqual([6, 3, 2]);
      const w = prior === 'uniform' ? [1 / 3, 1 / 3, 1 / 3] : [0.1, 0.3, 0.6];
      const per = p.perStratumLogits!.arraySync();
      const logits = p.logits.arraySync();
      per.forEach((rows, n) => rows[0]!.forEach((_, j) => expect(logits[n]![j]).toBeCloseTo(rows.reduce((a, r, k) => a + w[k]! * r[j]!, 0), 5)));
      // the strata differ, otherwise the test would not see the weights
      expect(Math.abs(per[0]![0]![0]! - per[0]![2]![0]!)).toBeGreaterThan(1e-6);
      tf.dispose([p.logits, p.perStratumLogits!]);
      s.dispose();
      disposeBatch(batch);
    }
  });

  it('K = 1 reduces to f_c(g_r(e, z))', () => {
    const ctx = tinyContext({ strata: 1 });
    const s = new BackdoorStrategy(ctx, small());
    const batch = toyBatch(4, 5, { strata: 1 });
    const p = s.predict(batch);
    const ref = tf.tidy(() => {
      const e = s.net.ge.apply(s.net.adapter.apply(ctx.backbone.apply(batch.images!, false)), false);
      const z = tf.tile(tf.reshape(s.net.centres!.centres, [1, 4, 4, 8]), [4, 1, 1, 1]) as tf.Tensor4D;
      return s.net.fc.apply(s.net.gr.apply(e, z, false));
    });
    expect(p.perStratumLogits!.shape).toEqual([4, 1, 2]);
    const a = p.logits.dataSync();
    const r = ref.dataSync();
    for (let i = 0; i < r.length; i++) expect(a[i]).toBeCloseTo(r[i]!, 5);
    expect(Array.from(p.perStratumLogits!.dataSync())).toEqual(Array.from(a));
    tf.dispose([p.logits, p.perStratumLogits!, ref]);
    s.dispose();
    disposeBatch(batch);
  });

  it('stackStrata: same numbers as the per-stratum loop in inference, pooled BatchNorm statistics in training', () => {
    const s = new BackdoorStrategy(tinyContext({ strata: 3 }), small());
    const batch = toyBatch(6, 7, { strata: 3 });
    const [evalGap, trainGap] = tf.tidy(() => {
      const e = s.net.ge.apply(s.net.adapter.apply(tinyBackboneOf(s).apply(batch.images!, false)), false);
      const d = s.dictionary();
      const gap = (training: boolean) =>
        tf.max(tf.abs(tf.sub(perStratumLogits(s.net.gr, s.net.fc, e, d, training, false), perStratumLogits(s.net.gr, s.net.fc, e, d, training, true)))).dataSync()[0]!;
      return [gap(false), gap(true)];
    });
    expect(evalGap).toBeLessThan(1e-5);
    expect(trainGap).toBeGreaterThan(1e-3);
    s.dispose();
    disposeBatch(batch);
  });

  it('trains from cached features with a frozen backbone, leaving the backbone alone', async () => {
    const backbone = new TinyBackbone(3, true);
    const s = new BackdoorStrategy(tinyContext({ backbone }), small());
    const batch = toyBatch(8, 8);
    const features = backbone.apply(batch.images!, false);
    batch.images!.dispose();
    const cached = { ...batch, images: undefined, features };
    const before = snapshot(backbone.namedVariables());
    const adapter0 = snapshot(s.net.vars('adapter'));
    const l = await s.trainStep(cached, stepContext(0));
    expect(Number.isFinite(l['cls']!)).toBe(true);
    expect(changed(before, snapshot(backbone.namedVariables()))).toEqual([]);
    expect(changed(adapter0, snapshot(s.net.vars('adapter'))).length).toBeGreaterThan(0);
    expect(features.isDisposed).toBe(false); // the batch owns its features
    s.dispose();
    disposeBatch(cached);
    backbone.dispose();
  });

  it('a training sample without a confounder label is a clear error naming it', async () => {
    const s = new BackdoorStrategy(tinyContext(), small());
    const batch = toyBatch(4, 6);
    batch.confounders.dispose();
    batch.confounders = tf.tensor1d([0, 1, -1, 0], 'int32');
    await expect(s.trainStep(batch, stepContext(0))).rejects.toThrow(/toy\/6\/2\.png.*no confounder label/);
    s.dispose();
    disposeBatch(batch);
  });
});

function tinyBackboneOf(s: BackdoorStrategy) {
  return (s as unknown as { ctx: { backbone: TinyBackbone } }).ctx.backbone;
}

describe('backdoor: the feature and classifier steps replay the shared forward instead of re-running it', () => {
  it('gives the same weights and running statistics as a re-run, with one backbone forward per step and a flat tensor count', async () => {
    const make = (reuse: boolean) => {
      const ctx = tinyContext();
      let applies = 0;
      const apply = ctx.backbone.apply.bind(ctx.backbone);
      ctx.backbone.apply = (x, training) => {
        applies++;
        return apply(x, training);
      };
      const s = new BackdoorStrategy(ctx, small({ lr: 0.01 }));
      (s as unknown as { reuseForward: boolean }).reuseForward = reuse;
      return { s, applies: () => applies };
    };
    const replay = make(true);
    const rerun = make(false);
    const batches = [toyBatch(8, 5), toyBatch(8, 6), toyBatch(8, 7)];
    const init = snapshot(replay.s.namedVariables());
    const counts: number[] = [];
    for (const [i, batch] of batches.entries()) {
      await rerun.s.trainStep(batch, stepContext(i));
      await replay.s.trainStep(batch, stepContext(i));
      counts.push(tf.memory().numTensors);
    }
    expect(replay.applies()).toBe(3);
    expect(rerun.applies()).toBe(6);
    expect(counts[2]).toBe(counts[1]);
    const a = replay.s.namedVariables();
    const b = rerun.s.namedVariables();
    expect(changed(init, snapshot(a)).filter((n) => n.startsWith('backbone.')).length).toBeGreaterThan(0); // the backbone did train
    for (const [name, v] of a) {
      const x = v.dataSync();
      const y = b.get(name)!.dataSync();
      let d = 0;
      for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i]! - y[i]!));
      expect(d, name).toBeLessThan(1e-5);
    }
    replay.s.dispose();
    rerun.s.dispose();
    batches.forEach(disposeBatch);
  });
});
