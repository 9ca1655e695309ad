import { IernError, Rng, hashString } from '@iern/core';

/** A (source, emotion) cell that a fold holds out of training. */
export interface Cell {
  confounder: string;
  emotion: string;
}

export interface FoldOptions {
  /** 1-based fold; there are as many folds as sources (3 for MixBasic). */
  fold: number;
  /** Share of each held-out cell put in test (1 = bias100, 0.9 = bias90). */
  ratio: number;
  /** Seed for which samples of a held-out cell stay in train when ratio < 1. */
  seed: number;
  /** Emotion order used to form the groups (default: sorted emotions of the samples). */
  emotions?: readonly string[];
  /** Source order (default: sorted confounders of the samples). */
  sources?: readonly string[];
  /** Explicit emotion groups (one per source); default: `emotions` cut into `sources.length` consecutive chunks. */
  groups?: readonly (readonly string[])[];
}

export interface Folds<T> {
  train: T[];
  test: T[];
  heldOutCells: Cell[];
}

/**
 * The MixBasic held-out-pair rule, for any biased mix.
 *
 * Emotions are cut into as many groups as there are sources (6 emotions, 3 sources: pairs
 * anger+disgust, fear+happiness, sadness+surprise). In fold f (1-based), source i (0-based,
 * in `sources` order) holds out group (i + f - 1) mod S. So in every fold each emotion is held
 * out by exactly one source and seen in training from all the others, and over the S folds
 * every (source, emotion) cell is held out exactly once. A held-out cell puts
 * round(ratio * n) of its samples in test (chosen by `seed`) and the rest in train; every
 * other cell is entirely in train. This reproduces the published split sizes: the three test
 * sets of bias100 add up to the whole dataset (1014 + 948 + 1029 = 2991).
 *
 * Pure: it keeps the input order inside train and test.
 */
export function makeFolds<T extends { emotion: string; confounder?: string }>(samples: readonly T[], opts: FoldOptions): Folds<T> {
  for (const s of samples) {
    if (s.confounder === undefined) throw new IernError(`makeFolds: sample with emotion '${s.emotion}' has no confounder (source); the rule needs one per sample`);
  }
  const sources = opts.sources ? [...opts.sources] : [...new Set(samples.map((s) => s.confounder!))].sort();
  const emotions = opts.emotions ? [...opts.emotions] : [...new Set(samples.map((s) => s.emotion))].sort();
  const S = sources.length;
  if (S < 2) throw new IernError(`makeFolds: needs at least 2 sources, got ${S} (${sources.join(', ')})`);
  if (!Number.isInteger(opts.fold) || opts.fold < 1 || opts.fold > S) throw new IernError(`makeFolds: fold must be 1..${S}, got ${opts.fold}`);
  if (!(opts.ratio >= 0 && opts.ratio <= 1)) throw new IernError(`makeFolds: ratio must be in [0, 1], got ${opts.ratio}`);
  const groups = opts.groups ? opts.groups.map((g) => [...g]) : chunk(emotions, S);
  if (groups.length !== S) throw new IernError(`makeFolds: ${groups.length} emotion groups for ${S} sources; give one group per source`);

  const heldOutCells: Cell[] = [];
  sources.forEach((src, i) => {
    for (const emotion of groups[(i + opts.fold - 1) % S]!) heldOutCells.push({ confounder: src, emotion });
  });
  const key = (c: string, e: string) => `${c}\u0000${e}`;
  const held = new Set(heldOutCells.map((c) => key(c.confounder, c.emotion)));

  // Per held-out cell: which members go to test.
  const members = new Map<string, number[]>();
  samples.forEach((s, idx) => {
    const k = key(s.confounder!, s.emotion);
    if (held.has(k)) (members.get(k) ?? members.set(k, []).get(k)!).push(idx);
  });
  const inTest = new Set<number>();
  for (const [k, idx] of members) {
    const rng = new Rng((opts.seed ^ hashString(k)) >>> 0);
    const order = rng.shuffle([...idx]);
    const nTest = Math.round(opts.ratio * idx.length);
    for (const j of order.slice(0, nTest)) inTest.add(j);
  }
  const train: T[] = [];
  const test: T[] = [];
  samples.forEach((s, idx) => (inTest.has(idx) ? test : train).push(s));

  // The rule's promise: each emotion present is seen in training from a source that does not hold it out.
  for (const e of new Set(samples.map((s) => s.emotion))) {
    const seen = train.some((s) => s.emotion === e && !held.has(key(s.confounder!, e)));
    if (!seen) throw new IernError(`makeFolds: fold ${opts.fold}: emotion '${e}' has no training samples from a source that does not hold it out`);
  }
  return { train, test, heldOutCells };
}

/** Cuts `items` into `k` consecutive chunks of near-equal size. */
function chunk<T>(items: readonly T[], k: number): T[][] {
  const out: T[][] = [];
  const base = Math.floor(items.length / k);
  let extra = items.length % k;
  let p = 0;
  for (let i = 0; i < k; i++) {
    const n = base + (extra-- > 0 ? 1 : 0);
    out.push(items.slice(p, p + n));
    p += n;
  }
  return out;
}
