import { z } from 'zod';
import type { Normalization } from '@iern/core';

/** Named preprocessing presets, applied to [0, 1] pixels. */
export const NORMALIZATIONS = {
  /** torchvision ImageNet weights. */
  imagenet: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  /** mean 0.5, std 0.5 (the official IERN code). */
  half: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
} satisfies Record<string, Normalization>;

const triple = z.tuple([z.number(), z.number(), z.number()]);

/** `imagenet`, `half`, or explicit `{ mean, std }`. */
export const normalizationSchema = z.union([
  z.enum(['imagenet', 'half']),
  z.strictObject({ mean: triple, std: triple.refine((s) => s.every((v) => v > 0), 'std must be positive') }),
]);

export type NormalizationOption = z.infer<typeof normalizationSchema>;

export function resolveNormalization(n: NormalizationOption): Normalization {
  if (typeof n === 'string') {
    const p = NORMALIZATIONS[n];
    return { mean: [...p.mean] as Normalization['mean'], std: [...p.std] as Normalization['std'] };
  }
  return { mean: [...n.mean], std: [...n.std] };
}
