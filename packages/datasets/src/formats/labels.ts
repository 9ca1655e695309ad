import { DataError } from '@iern/core';

/**
 * Spellings seen in the benchmarks, mapped to the project's canonical names. A synonym is
 * used only when its target is in the dataset's class list (EmotionROI keeps `joy`).
 */
const SYNONYMS: Record<string, string> = {
  angry: 'anger', anger: 'anger', mad: 'anger',
  disgusted: 'disgust', disgust: 'disgust',
  fearful: 'fear', afraid: 'fear', scared: 'fear', fear: 'fear',
  happy: 'happiness', happiness: 'happiness', joy: 'happiness',
  sad: 'sadness', sadness: 'sadness',
  surprised: 'surprise', surprise: 'surprise',
  neutral: 'neutral', calm: 'neutral',
  contempt: 'contempt',
  amused: 'amusement', amusement: 'amusement',
  content: 'contentment', contentment: 'contentment',
  excited: 'excitement', excitement: 'excitement',
  awe: 'awe',
  neg: 'negative', negative: 'negative', pos: 'positive', positive: 'positive',
  'no-face': 'no-face', noface: 'no-face', 'no face': 'no-face', nf: 'no-face',
  none: 'none', uncertain: 'uncertain', unknown: 'unknown',
};

/** Lower-cases, trims, and turns `_`/space runs into single spaces. */
export function normaliseLabel(raw: string): string {
  return raw.trim().toLowerCase().replace(/[\s_]+/g, ' ');
}

/** The canonical name of `raw` within `classes`, or undefined. */
export function canonicalIn(raw: string, classes: readonly string[]): string | undefined {
  const n = normaliseLabel(raw);
  if (classes.includes(n)) return n;
  const syn = SYNONYMS[n];
  if (syn && classes.includes(syn)) return syn;
  return undefined;
}

/** Where a label was read, for error messages. */
export interface Where {
  file: string;
  line?: number;
}

/** The outcome of mapping one label: a class name, or a documented skip reason. */
export type LabelResult = { emotion: string } | { skip: string };

/**
 * Maps labels by NAME to a dataset's classes. `skip` lists documented non-emotions (e.g.
 * `contempt` when dropped, `none`, `uncertain`, `no-face`) that are counted, never silently
 * lost; anything else is an error naming the file and line.
 */
export class LabelMap {
  private readonly skips: Map<string, string>;

  constructor(
    readonly classes: readonly string[],
    skip: readonly string[] = [],
  ) {
    this.skips = new Map(skip.map((s) => [SYNONYMS[normaliseLabel(s)] ?? normaliseLabel(s), normaliseLabel(s)]));
  }

  map(raw: string, where: Where): LabelResult {
    const emotion = canonicalIn(raw, this.classes);
    if (emotion) return { emotion };
    const n = normaliseLabel(raw);
    const reason = this.skips.get(SYNONYMS[n] ?? n);
    if (reason) return { skip: reason };
    throw new DataError(where.file, `unknown label '${raw}' (expected one of: ${this.classes.join(', ')})`, where.line);
  }
}

/**
 * A dataset's numeric codes as it documents them, code -> NAME (e.g. FER2013 `0 Angry`).
 * Numbers are only ever turned into names here; classes are then matched by name.
 */
export function codeToName(codes: Readonly<Record<number, string>>, raw: string, where: Where): string {
  const t = raw.trim();
  const v = Number(t);
  if (t === '' || !Number.isFinite(v) || !Number.isInteger(v) || codes[v] === undefined) {
    const known = Object.entries(codes).map(([k, n]) => `${k} ${n}`).join(', ');
    throw new DataError(where.file, `unknown label code '${raw}' (expected ${known})`, where.line);
  }
  return codes[v]!;
}
