import type { EvalResult } from '@iern/core';

/** One line of `predictions.jsonl`: what the report's per-(confounder, emotion) heat map reads. */
export interface PredictionRecord {
  id: string;
  label: string;
  pred: string;
  /** Confounder name; absent when the sample has none. */
  confounder?: string;
  correct: boolean;
  /** Softmax probability per class, rounded to 1e-6. */
  probs: Record<string, number>;
}

export function predictionRecords(r: EvalResult, classes: string[], confounders: string[]): PredictionRecord[] {
  return r.ids.map((id, i) => {
    const c = r.confounders[i]!;
    return {
      id,
      label: classes[r.labels[i]!]!,
      pred: classes[r.preds[i]!]!,
      ...(c >= 0 ? { confounder: confounders[c] } : {}),
      correct: r.labels[i] === r.preds[i],
      probs: Object.fromEntries(classes.map((k, j) => [k, Math.round((r.probs[i]![j] ?? NaN) * 1e6) / 1e6])),
    };
  });
}
