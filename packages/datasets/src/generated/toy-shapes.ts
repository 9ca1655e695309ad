import { z } from 'zod';
import { Rng, experimentSeed, type Dataset, type RegistryEntry, type Sample } from '@iern/core';

export const toyShapesOptions = z.strictObject({
  /** Images per class. */
  perClass: z.number().int().positive().default(40),
  size: z.number().int().min(8).default(24),
  /** Classes (each draws its own pattern). */
  classes: z.array(z.string()).min(2).default(['happiness', 'sadness', 'surprise']),
  /** Noise std on [0,255] pixels. */
  noise: z.number().min(0).default(25),
  split: z.enum(['train', 'test']).default('train'),
  seed: z.number().int().default(0),
});

/**
 * A tiny generated dataset for the quick-start slice and tests: each class is a distinct
 * pattern (horizontal bars, vertical bars, a centred blob, ...) with position jitter and
 * noise. Deterministic for (seed, split).
 */
export function makeToyShapes(o: z.infer<typeof toyShapesOptions>): Dataset {
  const rng = new Rng(o.seed * 7919 + (o.split === 'train' ? 1 : 2));
  const samples: Sample[] = [];
  const S = o.size;
  o.classes.forEach((emotion, ci) => {
    for (let n = 0; n < o.perClass; n++) {
      const data = new Uint8Array(S * S * 3);
      const dx = rng.int(5) - 2;
      const dy = rng.int(5) - 2;
      const tint = [rng.uniform(0.7, 1), rng.uniform(0.7, 1), rng.uniform(0.7, 1)];
      for (let y = 0; y < S; y++) {
        for (let x = 0; x < S; x++) {
          const on = pattern(ci, (x + dx + S) % S, (y + dy + S) % S, S) ? 200 : 40;
          for (let k = 0; k < 3; k++) {
            const v = on * tint[k]! + rng.normal(0, o.noise);
            data[(y * S + x) * 3 + k] = Math.max(0, Math.min(255, Math.round(v)));
          }
        }
      }
      samples.push({
        id: `toy-${o.split}-${emotion}-${n}`,
        image: { kind: 'pixels', width: S, height: S, channels: 3, data },
        emotion,
        confounder: n % 2 === 0 ? 'even' : 'odd',
        split: o.split,
      });
    }
  });
  return { name: 'toy-shapes', classes: [...o.classes], confounders: ['even', 'odd'], samples, skipped: {}, problems: [] };
}

function pattern(c: number, x: number, y: number, S: number): boolean {
  const q = Math.max(2, Math.floor(S / 6));
  switch (c % 6) {
    case 0: return Math.floor(y / q) % 2 === 0; // horizontal bars
    case 1: return Math.floor(x / q) % 2 === 0; // vertical bars
    case 2: return (x - S / 2) ** 2 + (y - S / 2) ** 2 < (S / 3) ** 2; // blob
    case 3: return Math.floor((x + y) / q) % 2 === 0; // diagonal stripes
    case 4: return Math.floor(x / q) % 2 === Math.floor(y / q) % 2; // checkerboard
    default: return Math.abs(x - S / 2) < q || Math.abs(y - S / 2) < q; // cross
  }
}

export const toyShapesEntry: RegistryEntry<Dataset, z.infer<typeof toyShapesOptions>> = {
  type: 'toy-shapes',
  package: '@iern/datasets',
  description: 'Tiny generated pattern dataset (quick start and tests)',
  options: toyShapesOptions,
  build: (o, container) => makeToyShapes({ ...o, seed: o.seed + experimentSeed(container) }),
};
