/** Confusion matrix `m[true][pred]` and the metrics derived from it. */
export interface ClassificationReport {
  classes: string[];
  total: number;
  correct: number;
  accuracy: number;
  /** Per-class accuracy (recall); NaN where a class has no samples. */
  perClass: Record<string, { correct: number; total: number; accuracy: number }>;
  confusion: number[][];
}

export function confusionMatrix(labels: ArrayLike<number>, preds: ArrayLike<number>, numClasses: number): number[][] {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i]!;
    const p = preds[i]!;
    if (t >= 0 && t < numClasses && p >= 0 && p < numClasses) m[t]![p]!++;
  }
  return m;
}

export function reportFromConfusion(confusion: number[][], classes: string[]): ClassificationReport {
  let total = 0;
  let correct = 0;
  const perClass: ClassificationReport['perClass'] = {};
  confusion.forEach((row, i) => {
    const t = row.reduce((a, b) => a + b, 0);
    const c = row[i] ?? 0;
    total += t;
    correct += c;
    perClass[classes[i] ?? String(i)] = { correct: c, total: t, accuracy: t ? c / t : NaN };
  });
  return { classes, total, correct, accuracy: total ? correct / total : NaN, perClass, confusion };
}

export function classificationReport(labels: ArrayLike<number>, preds: ArrayLike<number>, classes: string[]): ClassificationReport {
  return reportFromConfusion(confusionMatrix(labels, preds, classes.length), classes);
}

/** Adds confusion matrices element-wise (pooling over folds: sum correct and totals per class). */
export function sumConfusions(ms: number[][][]): number[][] {
  if (ms.length === 0) return [];
  return ms[0]!.map((row, i) => row.map((_, j) => ms.reduce((a, m) => a + (m[i]?.[j] ?? 0), 0)));
}

/** Mean and sample standard deviation. */
export function meanStd(values: number[]): { mean: number; std: number; n: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

/** Text rendering of a confusion matrix for logs. */
export function formatConfusion(confusion: number[][], classes: string[]): string {
  const w = Math.max(6, ...classes.map((c) => Math.min(c.length, 10))) + 1;
  const head = ' '.repeat(w) + classes.map((c) => c.slice(0, 10).padStart(w)).join('');
  const rows = confusion.map((row, i) => (classes[i] ?? '').slice(0, 10).padEnd(w) + row.map((v) => String(v).padStart(w)).join(''));
  return [`true \\ pred`, head, ...rows].join('\n');
}
