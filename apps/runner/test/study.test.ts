import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MemoryLogger, type EvalResult } from '@iern/core';
import { aggregate, cellMetrics, compare, linearProbe, meetsTarget, runStudy, stratumConsistency, type RunRecord } from '../src/study/index.js';

const classes = ['anger', 'happiness'];
const confounders = ['a', 'b'];

describe('study metrics', () => {
  it('splits accuracy into held-out and seen cells', () => {
    // cells: (a, anger) held out; samples: 2 held-out (1 right), 3 seen (3 right)
    const ev = { labels: [0, 0, 1, 0, 1], preds: [0, 1, 1, 0, 1], confounders: [0, 0, 0, 1, 1] } as unknown as EvalResult;
    const m = cellMetrics(ev, classes, confounders, [{ confounder: 'a', emotion: 'anger' }]);
    expect(m.heldOut).toEqual({ correct: 1, total: 2, accuracy: 0.5 });
    expect(m.seen).toEqual({ correct: 3, total: 3, accuracy: 1 });
    expect(m.overall.accuracy).toBeCloseTo(0.8);
    expect(m.heldOutConfusion).toEqual([[1, 1], [0, 0]]);
  });

  it('measures stratum consistency from per-stratum logits', () => {
    const same = [[1, 0], [2, 1]];
    const differs = [[1, 0], [0, 1]];
    expect(stratumConsistency([same, same, differs, same])).toBe(0.75);
    expect(stratumConsistency(undefined)).toBeUndefined();
  });

  it('a linear probe reads a separable confounder and not a random one', () => {
    const make = (n: number, seed: number, informative: boolean) => {
      const x: Float32Array[] = [];
      const y: number[] = [];
      let s = seed;
      const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
      for (let i = 0; i < n; i++) {
        const k = i % 3;
        y.push(k);
        x.push(Float32Array.from({ length: 8 }, (_, d) => rnd() + (informative && d === k ? 2 : 0)));
      }
      return { x, y };
    };
    expect(linearProbe(make(90, 1, true), make(60, 2, true), 3).accuracy).toBeGreaterThan(0.95);
    expect(linearProbe(make(90, 1, false), make(60, 2, false), 3).accuracy).toBeLessThan(0.6);
  });

  it('pools per-emotion accuracy over folds and pairs comparisons by fold and seed', () => {
    const rec = (strategy: string, fold: number, seed: number, heldOut: number, seen: number, conf: number[][]): RunRecord => ({
      strategy, fold, ratio: 1, seed, heldOut, seen, overall: 0, counts: { heldOut: 0, seen: 0, train: 0 },
      heldOutConfusion: conf, seenConfusion: conf, heldOutCells: [], seconds: 1,
    });
    const records = [
      rec('baseline', 1, 0, 0.1, 0.7, [[1, 3], [0, 0]]),
      rec('baseline', 2, 0, 0.3, 0.7, [[0, 0], [3, 1]]),
      rec('recipe', 1, 0, 0.3, 0.69, [[3, 1], [0, 0]]),
      rec('recipe', 2, 0, 0.4, 0.68, [[0, 0], [1, 1]]),
    ];
    const rows = aggregate(records, ['baseline', 'recipe'], classes);
    expect(rows[0]!.perEmotion['anger']!.mean).toBeCloseTo(0.25);
    expect(rows[0]!.perEmotion['happiness']!.mean).toBeCloseTo(0.25);
    expect(rows[0]!.heldOut.mean).toBeCloseTo(0.2);
    expect(rows[1]!.heldOutConfusion).toEqual([[3, 1], [1, 1]]);
    const [c] = compare(records, 'recipe', 'baseline');
    expect(c!.pairs).toBe(2);
    expect(c!.heldOut.mean).toBeCloseTo(0.15);
    expect(c!.seen.mean).toBeCloseTo(-0.015);
    expect(meetsTarget(c!)).toBe(true);
    expect(meetsTarget({ ...c!, seen: { ...c!.seen, mean: -0.03 } })).toBe(false);
  });
});

describe('iern study end to end (tiny)', () => {
  it('trains two strategies on one fold and writes the table, JSON, confusion PNGs and run records', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'iern-study-'));
    try {
      const faces = `{ type: synth-faces, perCell: 6, seenTestPerCell: 2, size: 16, supersample: 1, seed: 0, cacheDir: ${JSON.stringify(path.join(dir, 'cache'))} }`;
      writeFileSync(path.join(dir, 'experiment.yaml'), [
        'backend: cpu',
        'model:',
        '  backbone: { type: small-cnn, channels: [8, 8] }',
        '  strategy: { type: baseline, lr: 0.01, backboneLr: 0.01, warmupEpochs: 0 }',
        'data:',
        `  train: ${faces.replace('}', ', split: train }')}`,
        `  test: ${faces.replace('}', ', split: test }')}`,
        '  imageSize: 16',
        'train: { epochs: 1, batchSize: 16 }',
        '',
      ].join('\n'));
      writeFileSync(path.join(dir, 'study.yaml'), [
        'name: tiny',
        'experiment: ./experiment.yaml',
        'strategies:',
        '  baseline: {}',
        '  wide-head: { model.strategy.lr: 0.02 }',
        '  missing: { model.strategy: { type: no-such-strategy } }',
        'roles: { baseline: baseline, recipe: wide-head }',
        '',
      ].join('\n'));
      const logger = new MemoryLogger();
      const out = await runStudy({ configFile: path.join(dir, 'study.yaml'), logger, workDir: path.join(dir, 'work') });
      expect(out.records).toHaveLength(2);
      // every run disposes what it created (runOne warns when tensors are left)
      expect(logger.lines.filter((l) => l.includes('tensors left'))).toEqual([]);
      for (const r of out.records) {
        expect(r.counts.heldOut).toBe(6 * 6); // 6 held-out cells, all of each in test at r = 1
        expect(r.counts.seen).toBe(12 * 2); // fresh images of the 12 seen cells
        expect(r.counts.train).toBe(12 * 6);
        expect(r.heldOut).toBeGreaterThanOrEqual(0);
        expect(r.leakage?.['f']).toBeGreaterThan(0);
      }
      const md = readFileSync(path.join(out.workDir, 'study.md'), 'utf8');
      expect(md).toMatch(/\| baseline \|/);
      expect(md).toMatch(/\| wide-head \|/);
      expect(md).toMatch(/wide-head - baseline/);
      expect(md).toMatch(/Not run: `missing`.*unknown strategy type 'no-such-strategy'/);
      const json = JSON.parse(readFileSync(path.join(out.workDir, 'study.json'), 'utf8')) as { rows: { strategy: string; perEmotion: Record<string, unknown> }[] };
      expect(json.rows.map((r) => r.strategy)).toEqual(['baseline', 'wide-head']);
      expect(Object.keys(json.rows[0]!.perEmotion)).toHaveLength(6);
      for (const s of ['baseline', 'wide-head']) {
        const png = readFileSync(path.join(out.workDir, `confusion-${s}-r1.png`));
        expect(png.subarray(1, 4).toString()).toBe('PNG');
      }
      expect(readdirSync(path.join(out.workDir, 'runs')).sort()).toEqual(['baseline-r1-f1-s0.json', 'wide-head-r1-f1-s0.json']);
      expect(existsSync(path.join(dir, 'cache', 'meta.json'))).toBe(true);
      // --resume reuses the run records instead of training again
      const again = new MemoryLogger();
      const resumed = await runStudy({ configFile: path.join(dir, 'study.yaml'), logger: again, workDir: out.workDir, resume: true, strategies: ['baseline', 'wide-head'] });
      expect(again.lines.filter((l) => l.includes('reused'))).toHaveLength(2);
      expect(resumed.records.map((r) => r.heldOut)).toEqual(out.records.map((r) => r.heldOut));
      expect(Object.keys(resumed.rows[0]!.perEmotion)).toHaveLength(6); // classes come from the records
      // --jobs 2: each run in its own process, same numbers, same table order, missing strategy still reported
      const par = new MemoryLogger();
      const parallel = await runStudy({ configFile: path.join(dir, 'study.yaml'), logger: par, workDir: path.join(dir, 'work-jobs'), jobs: 2 });
      expect(par.lines.some((l) => l.includes('2 runs at a time'))).toBe(true);
      expect(parallel.records.map((r) => r.strategy)).toEqual(['baseline', 'wide-head']);
      expect(parallel.records.map((r) => [r.heldOut, r.seen, r.heldOutConfusion])).toEqual(out.records.map((r) => [r.heldOut, r.seen, r.heldOutConfusion]));
      expect(parallel.markdown).toMatch(/Not run: `missing`/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
