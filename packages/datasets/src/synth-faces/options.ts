import { z } from 'zod';

/** Emotions drawn (the six basic ones, in MixBasic order). */
export const SYNTH_EMOTIONS = ['anger', 'disgust', 'fear', 'happiness', 'sadness', 'surprise'] as const;
/** The three sources, in protocol order: source i holds out emotion pair (i + fold - 1) mod 3. */
export const SYNTH_SOURCES = ['studio', 'infrared', 'video'] as const;
export type SynthSource = (typeof SYNTH_SOURCES)[number];

/** What changes the pixels (and so the cache key). */
export const synthFacesRenderShape = {
  /** Images per (source, emotion) cell that the fold protocol splits. */
  perCell: z.number().int().positive().default(60),
  /** Extra fresh images per seen cell, test split only (and as many again for `val`): they measure seen-cell accuracy. */
  seenTestPerCell: z.number().int().min(0).default(20),
  /** Square side of the rendered image in pixels. */
  size: z.number().int().min(16).max(256).default(48),
  /** Supersampling per axis (anti-aliasing). */
  supersample: z.number().int().min(1).max(4).default(2),
  seed: z.number().int().default(0),
  /** Expression intensity range (0 = neutral face, 1 = full expression). */
  intensity: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).default([0.6, 1]),
  /** Nuisance strengths, each scaling its variation (0 = off, 1 = default). */
  nuisance: z
    .strictObject({
      /** Face shape, skin tone, feature spacing. */
      identity: z.number().min(0).max(2).default(1),
      /** Rotation, scale, translation (the video source adds its own larger rotation). */
      pose: z.number().min(0).max(2).default(1),
      /** Strength of each source's look (0 = all sources look alike, no confounder). */
      look: z.number().min(0).max(1).default(1),
      /** Pixel noise. */
      noise: z.number().min(0).max(3).default(1),
    })
    .default({ identity: 1, pose: 1, look: 1, noise: 1 }),
};

export const synthFacesOptions = z.strictObject({
  ...synthFacesRenderShape,
  /** MixBasic-style fold (1..3): which emotion pair each source holds out. */
  fold: z.number().int().min(1).max(3).default(1),
  /** Bias ratio r: share of each held-out cell in test (1 = bias100, 0.9 = bias90). */
  ratio: z.number().min(0).max(1).default(1),
  /**
   * `train`/`test`: the fold's splits. `val-train`/`val`: a validation split carved from the
   * fold's training data: each source also holds out one emotion of the next fold's pair
   * (for choosing settings without touching the test cells). `all`: every image.
   */
  split: z.enum(['train', 'test', 'val-train', 'val', 'all']).default('train'),
  /** Cache folder; default `.cache/iern/synth-faces/<hash of the render options>`. */
  cacheDir: z.string().optional(),
  /** Read/write the on-disk cache. */
  cache: z.boolean().default(true),
});

export type SynthFacesOptions = z.infer<typeof synthFacesOptions>;
export type SynthRenderOptions = Pick<SynthFacesOptions, keyof typeof synthFacesRenderShape>;

/** Defaults applied (for direct callers and tests). */
export function synthFacesDefaults(o: Partial<z.input<typeof synthFacesOptions>> = {}): SynthFacesOptions {
  return synthFacesOptions.parse(o);
}
