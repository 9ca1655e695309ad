import { confusionMatrix, type EvalResult } from '@iern/core';

/** A (source, emotion) cell by name. */
export interface CellRef {
  confounder: string;
  emotion: string;
}

/** Accuracy split by cell kind for one run. */
export interface CellMetrics {
  heldOut: { correct: number; total: number; accuracy: number };
  seen: { correct: number; total: number; accuracy: number };
  overall: { correct: number; total: number; accuracy: number };
  /** Confusion on held-out cells only (rows = true class): the unbiased test. */
  heldOutConfusion: number[][];
  /** Confusion on seen cells only. */
  seenConfusion: number[][];
}

const acc = (correct: number, total: number) => ({ correct, total, accuracy: total ? correct / total : NaN });

/**
 * Splits an evaluation into held-out cells (emotion never seen from that source in
 * training, or only 1 - r of it) and seen cells, using the labels and confounder indices
 * the evaluation carries.
 */
export function cellMetrics(ev: EvalResult, classes: string[], confounders: string[], heldOut: readonly CellRef[]): CellMetrics {
  const held = new Set(heldOut.map((c) => `${c.confounder}|${c.emotion}`));
  const isHeld = ev.labels.map((l, i) => held.has(`${confounders[ev.confounders[i]!] ?? '?'}|${classes[l] ?? '?'}`));
  const pick = (want: boolean) => {
    const labels: number[] = [];
    const preds: number[] = [];
    ev.labels.forEach((l, i) => {
      if (isHeld[i] === want) {
        labels.push(l);
        preds.push(ev.preds[i]!);
      }
    });
    return { labels, preds, correct: labels.filter((l, i) => l === preds[i]).length };
  };
  const h = pick(true);
  const s = pick(false);
  return {
    heldOut: acc(h.correct, h.labels.length),
    seen: acc(s.correct, s.labels.length),
    overall: acc(h.correct + s.correct, ev.labels.length),
    heldOutConfusion: confusionMatrix(h.labels, h.preds, classes.length),
    seenConfusion: confusionMatrix(s.labels, s.preds, classes.length),
  };
}

/** Share of images whose argmax is the same under every stratum; undefined without strata. */
export function stratumConsistency(perStratumLogits: number[][][] | undefined): number | undefined {
  if (!perStratumLogits || perStratumLogits.length === 0) return undefined;
  let same = 0;
  for (const strata of perStratumLogits) {
    const first = argmax(strata[0]!);
    if (strata.every((l) => argmax(l) === first)) same++;
  }
  return same / perStratumLogits.length;
}

export function argmax(v: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}
