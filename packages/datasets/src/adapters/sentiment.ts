import { z } from 'zod';
import { SENTIMENT, type Dataset } from '@iern/core';

/** Polarity of each emotion name the image-emotion sets use (Mikels' eight, Ekman's six + joy). */
export const POLARITY: Record<string, 'positive' | 'negative'> = {
  amusement: 'positive', awe: 'positive', contentment: 'positive', excitement: 'positive', joy: 'positive', happiness: 'positive', surprise: 'positive',
  anger: 'negative', disgust: 'negative', fear: 'negative', sadness: 'negative',
};

/** Option of the image-emotion adapters: keep the emotions, or map them to binary sentiment. */
export const labelsOption = {
  /** `sentiment` maps emotions to negative / positive (see POLARITY); neutral is counted and skipped. */
  labels: z.enum(['emotion', 'sentiment']).default('emotion'),
};

/** Maps a dataset's emotions to `negative` / `positive`; emotions without a polarity are counted as skipped. */
export function asSentiment(ds: Dataset): Dataset {
  const samples = [];
  const skipped = { ...ds.skipped };
  for (const s of ds.samples) {
    const p = POLARITY[s.emotion];
    if (p) samples.push({ ...s, emotion: p });
    else skipped[`${s.emotion} (no polarity)`] = (skipped[`${s.emotion} (no polarity)`] ?? 0) + 1;
  }
  return { ...ds, classes: [...SENTIMENT], samples, skipped };
}
