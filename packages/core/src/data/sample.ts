/** Face or region box in source-image pixels. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where a sample's pixels come from: a file, or raw pixels (CSV datasets, generated data). */
export type ImageSource =
  | { kind: 'file'; path: string }
  | { kind: 'pixels'; width: number; height: number; channels: 1 | 3 | 4; data: Uint8Array };

/** One labelled image. Emotion and confounder are canonical lower-case names, never numbers. */
export interface Sample {
  id: string;
  image: ImageSource;
  /** Canonical emotion name (`anger`, `happiness`, ...). */
  emotion: string;
  /** Confounder / stratum label (source dataset, scene), when known. */
  confounder?: string;
  box?: Box;
  /** Split the source assigned (`train`, `val`, `test`), when it has one. */
  split?: string;
}

/** What a dataset adapter returns: samples plus an account of everything it skipped. */
export interface Dataset {
  /** Adapter type or a user-chosen name. */
  name: string;
  /** Class list this dataset declares (index order used when it is trained alone). */
  classes: string[];
  /** Confounder names present (empty when the dataset has none). */
  confounders: string[];
  samples: Sample[];
  /** Skipped items by reason (documented labels such as contempt, duplicates, bad images). */
  skipped: Record<string, number>;
  /** Problems worth a warning that did not stop loading. */
  problems: string[];
}

/** Adds `n` to `skipped[reason]`. */
export function countSkip(skipped: Record<string, number>, reason: string, n = 1): void {
  skipped[reason] = (skipped[reason] ?? 0) + n;
}

/** Canonical emotion vocabularies. */
export const FACE_EMOTIONS = ['anger', 'disgust', 'fear', 'happiness', 'sadness', 'surprise', 'neutral', 'contempt'] as const;
export const BASIC6 = ['anger', 'disgust', 'fear', 'happiness', 'sadness', 'surprise'] as const;
export const MIKELS = ['amusement', 'anger', 'awe', 'contentment', 'disgust', 'excitement', 'fear', 'sadness'] as const;
export const SENTIMENT = ['negative', 'positive'] as const;
