import { z } from 'zod';
import type { Registries } from '../registry/registries.js';
import { formatZodIssues } from './zod-errors.js';
import type { ConfigObject } from './load.js';
import { ConfigError } from '../errors.js';

/** A section that picks a registered entry; its other keys are checked by that entry's schema. */
const typed = z.looseObject({ type: z.string() });

export const BACKENDS = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

export const augmentSchema = z.strictObject({
  /** Horizontal flip with probability 0.5. */
  hflip: z.boolean().default(false),
  /** Random crop: pad-and-crop scale, e.g. resize to size*1.14 then crop `size` (256 -> 224). */
  randomCrop: z.boolean().default(false),
  /** Random-crop margin as the published resize/crop ratio (256/224): shifts of up to +-(cropScale-1)/2 of the side. */
  cropScale: z.number().min(1).optional(),
  /** Gaussian blur probability and radius range (published: p 0.5, 0.1-1.5). */
  blur: z.strictObject({ p: z.number().min(0).max(1), radius: z.tuple([z.number(), z.number()]) }).optional(),
  brightness: z.tuple([z.number(), z.number()]).optional(),
  contrast: z.tuple([z.number(), z.number()]).optional(),
  affine: z
    .strictObject({
      degrees: z.number().default(10),
      translate: z.number().default(0.2),
      scale: z.tuple([z.number(), z.number()]).default([0.8, 1.2]),
      shear: z.number().default(8),
    })
    .optional(),
  /** Look-randomising augmentation (beyond the paper): greyscale probability. */
  grayscale: z.number().min(0).max(1).optional(),
  /** Per-channel colour gain jitter (+-). */
  colorJitter: z.number().min(0).optional(),
  /** Gaussian pixel noise std (on [0,1] pixels). */
  noise: z.number().min(0).optional(),
});
export type AugmentConfig = z.infer<typeof augmentSchema>;

export const dataSchema = z.strictObject({
  train: typed,
  test: typed.optional(),
  val: typed.optional(),
  /** Square side, or [height, width], of the network input. */
  imageSize: z.union([z.number().int().positive(), z.tuple([z.number().int().positive(), z.number().int().positive()])]).default(32),
  /** 1 (grey) or 3 (RGB). Grey images are replicated to RGB when 3. */
  channels: z.union([z.literal(1), z.literal(3)]).default(3),
  /** Overrides the backbone's normalisation. */
  normalization: z.strictObject({ mean: z.array(z.number()).length(3), std: z.array(z.number()).length(3) }).optional(),
  /** Class list (order = label index). Defaults to the training dataset's classes. */
  classes: z.array(z.string()).optional(),
  augment: augmentSchema.default(augmentSchema.parse({})),
  /** What to do with a corrupt or missing image: stop with its name, or count and skip it. */
  onBadSample: z.enum(['error', 'skip']).default('error'),
  /**
   * Frozen backbones: compute features of the un-augmented images once, keep them on disk
   * (keyed by weights, images and preprocessing) and train the heads on them.
   */
  featureCache: z
    .strictObject({ enabled: z.boolean().default(true), dir: z.string().default('.cache/iern/features') })
    .default({ enabled: true, dir: '.cache/iern/features' }),
  /** Loader worker threads for decoding (0 = on the main thread). */
  loaderWorkers: z.number().int().min(0).default(0),
});

export const trainSchema = z.strictObject({
  epochs: z.number().int().positive().default(10),
  batchSize: z.number().int().positive().default(16),
  /** Fixes initialisation, data order and augmentation. */
  seed: z.number().int().default(0),
  /** Data-parallel replicas on worker threads: `auto` uses every core. */
  workers: z.union([z.literal('auto'), z.number().int().positive()]).default(1),
  /** Log a progress line every N steps (off a terminal). */
  logInterval: z.number().int().positive().default(20),
  /** Evaluate on the test split every N epochs (0 = only at the end). */
  evalInterval: z.number().int().min(0).default(0),
  checkpoint: z
    .strictObject({
      /** Save `last` every N epochs. */
      interval: z.number().int().positive().default(1),
      /** Keep the newest N epoch checkpoints (besides `last` and `best`). */
      keep: z.number().int().min(0).default(1),
      /** Metric that selects `best_<metric>`. */
      metric: z.string().default('accuracy'),
    })
    .default({ interval: 1, keep: 1, metric: 'accuracy' }),
});

export const experimentSchema = z.strictObject({
  name: z.string().optional(),
  /** Plugin modules to load: package names or paths to local .js/.ts files (relative to the config). */
  plugins: z.array(z.string()).default([]),
  backend: z.enum(BACKENDS).default('auto'),
  model: z.strictObject({ backbone: typed, strategy: typed }),
  data: dataSchema,
  train: trainSchema.default(trainSchema.parse({})),
  eval: z.strictObject({ batchSize: z.number().int().positive().default(64) }).default({ batchSize: 64 }),
  /** Where runs are written; default `work_dirs/<name>/<timestamp>`. */
  workDir: z.string().optional(),
});

export type ExperimentConfig = z.infer<typeof experimentSchema>;

/**
 * Validates a merged config: the experiment schema first, then every typed section against
 * the schema its registered entry contributes. Throws a ConfigError naming the key path.
 * Typed sections come back with their defaults filled in.
 */
export function validateExperiment(raw: ConfigObject, registries: Registries): ExperimentConfig {
  const parsed = experimentSchema.safeParse(raw);
  if (!parsed.success) throw formatZodIssues(parsed.error);
  const cfg = parsed.data;
  const check = (section: { type: string }, reg: { validate(c: unknown, k: string): { options: unknown } }, keyPath: string) => {
    const { options } = reg.validate(section, keyPath);
    return { type: section.type, ...(options as object) };
  };
  cfg.model.backbone = check(cfg.model.backbone, registries.backbones, 'model.backbone');
  cfg.model.strategy = check(cfg.model.strategy, registries.strategies, 'model.strategy');
  for (const split of ['train', 'test', 'val'] as const) {
    const section = cfg.data[split];
    if (section) cfg.data[split] = check(section, registries.datasets, `data.${split}`);
  }
  if (cfg.data.classes && new Set(cfg.data.classes).size !== cfg.data.classes.length) {
    throw new ConfigError('data.classes', 'class names must be unique');
  }
  return cfg;
}
