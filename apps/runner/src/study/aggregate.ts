import { meanStd, sumConfusions } from '@iern/core';
import type { RunRecord } from './run-one.js';

export interface Stat {
  mean: number;
  std: number;
  n: number;
}

/** One table row: a strategy at one bias ratio, over folds and seeds. */
export interface StrategyRow {
  strategy: string;
  ratio: number;
  runs: number;
  folds: number[];
  seeds: number[];
  heldOut: Stat;
  seen: Stat;
  overall: Stat;
  /** Held-out-cell accuracy per emotion, pooled over folds (sum correct / sum total) per seed; mean and spread over seeds. */
  perEmotion: Record<string, Stat>;
  leakage?: Record<string, Stat>;
  leakageChance?: number;
  consistency?: Stat;
  /** Held-out-cell confusion summed over every run of the row. */
  heldOutConfusion: number[][];
  seconds: number;
}

/** A paired difference (same fold and seed) between two strategies. */
export interface Comparison {
  ratio: number;
  a: string;
  b: string;
  /** a - b on held-out cells, mean and spread over paired runs. */
  heldOut: Stat;
  seen: Stat;
  pairs: number;
}

const ms = (v: number[]): Stat => {
  const clean = v.filter((x) => Number.isFinite(x));
  return meanStd(clean);
};

export function aggregate(records: readonly RunRecord[], strategies: readonly string[], classes: readonly string[]): StrategyRow[] {
  const ratios = [...new Set(records.map((r) => r.ratio))].sort((a, b) => b - a);
  const rows: StrategyRow[] = [];
  for (const ratio of ratios) {
    for (const strategy of strategies) {
      const rs = records.filter((r) => r.ratio === ratio && r.strategy === strategy);
      if (rs.length === 0) continue;
      const seeds = [...new Set(rs.map((r) => r.seed))].sort((a, b) => a - b);
      const perSeed = seeds.map((s) => sumConfusions(rs.filter((r) => r.seed === s).map((r) => r.heldOutConfusion)));
      const perEmotion: Record<string, Stat> = {};
      classes.forEach((c, i) => {
        perEmotion[c] = ms(
          perSeed.map((m) => {
            const row = m[i] ?? [];
            const total = row.reduce((a, b) => a + b, 0);
            return total ? (row[i] ?? 0) / total : NaN;
          }),
        );
      });
      const row: StrategyRow = {
        strategy,
        ratio,
        runs: rs.length,
        folds: [...new Set(rs.map((r) => r.fold))].sort(),
        seeds,
        heldOut: ms(rs.map((r) => r.heldOut)),
        seen: ms(rs.map((r) => r.seen)),
        overall: ms(rs.map((r) => r.overall)),
        perEmotion,
        heldOutConfusion: sumConfusions(rs.map((r) => r.heldOutConfusion)),
        seconds: rs.reduce((a, r) => a + r.seconds, 0),
      };
      const keys = [...new Set(rs.flatMap((r) => Object.keys(r.leakage ?? {})))];
      if (keys.length) {
        row.leakage = Object.fromEntries(keys.map((k) => [k, ms(rs.map((r) => r.leakage?.[k] ?? NaN))]));
        row.leakageChance = ms(rs.map((r) => r.leakageChance ?? NaN)).mean;
      }
      const cons = rs.map((r) => r.consistency).filter((x): x is number => x !== undefined);
      if (cons.length) row.consistency = ms(cons);
      rows.push(row);
    }
  }
  return rows;
}

/** a - b over runs with the same (ratio, fold, seed). */
export function compare(records: readonly RunRecord[], a: string, b: string): Comparison[] {
  const ratios = [...new Set(records.map((r) => r.ratio))].sort((x, y) => y - x);
  const out: Comparison[] = [];
  for (const ratio of ratios) {
    const dh: number[] = [];
    const ds: number[] = [];
    for (const ra of records.filter((r) => r.ratio === ratio && r.strategy === a)) {
      const rb = records.find((r) => r.ratio === ratio && r.strategy === b && r.fold === ra.fold && r.seed === ra.seed);
      if (!rb) continue;
      dh.push(ra.heldOut - rb.heldOut);
      ds.push(ra.seen - rb.seen);
    }
    if (dh.length) out.push({ ratio, a, b, heldOut: ms(dh), seen: ms(ds), pairs: dh.length });
  }
  return out;
}

/** The target: held-out +5 points or more, seen not more than 2 points lower. */
export function meetsTarget(c: Comparison): boolean {
  return c.heldOut.mean >= 0.05 && c.seen.mean >= -0.02;
}
