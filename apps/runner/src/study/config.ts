import * as path from 'node:path';
import { z } from 'zod';
import { ConfigError, formatZodIssues, loadConfigFile } from '@iern/core';

/** Which (fold, ratio, seed) grid a study runs. */
const gridSchema = z.strictObject({
  folds: z.array(z.number().int().min(1)).min(1),
  ratios: z.array(z.number().min(0).max(1)).min(1),
  seeds: z.array(z.number().int()).min(1),
});

/** A strategy of the study: a name and the experiment overrides (`key.path: value`) that make it. */
const overridesSchema = z.record(z.string(), z.unknown());

export const studySchema = z.strictObject({
  name: z.string().optional(),
  /** Experiment config every run starts from (relative to the study file). */
  experiment: z.string(),
  /** The default grid (what `npm start` runs). */
  folds: gridSchema.shape.folds.default([1]),
  ratios: gridSchema.shape.ratios.default([1]),
  seeds: gridSchema.shape.seeds.default([0]),
  /** `--full`: the grid the issue's targets are defined on. */
  full: gridSchema.default({ folds: [1, 2, 3], ratios: [1, 0.9], seeds: [0, 1, 2] }),
  /** Runs at a time, each in its own process (`auto`: one per core); `--jobs` overrides. */
  jobs: z.union([z.number().int().min(1), z.literal('auto')]).default(1),
  /** Strategies in table order: name -> overrides of the experiment config. */
  strategies: z.record(z.string(), overridesSchema).refine((s) => Object.keys(s).length > 0, 'at least one strategy'),
  /** Roles used for the target check: the reference, the recipe, and the baseline with the recipe's augmentation. */
  roles: z
    .strictObject({
      /** Default: the strategy named `baseline`, when there is one. */
      baseline: z.string().optional(),
      recipe: z.string().optional(),
      augmentedBaseline: z.string().optional(),
    })
    .default({}),
  /** Per-run analyses added to the table. */
  analyses: z
    .strictObject({
      /** Linear probe of the confounder from pooled f, e, c (train features -> test accuracy). */
      leakage: z.boolean().default(true),
      /** Share of test images with the same argmax under every stratum. */
      consistency: z.boolean().default(true),
    })
    .default({ leakage: true, consistency: true }),
  /** `iern study sweep`: bias ratios and strategies. */
  sweep: z
    .strictObject({
      ratios: z.array(z.number().min(0).max(1)).min(1).default([0.5, 0.7, 0.9, 1]),
      strategies: z.array(z.string()).min(1).optional(),
    })
    .default({ ratios: [0.5, 0.7, 0.9, 1] }),
});

export type StudyConfig = z.infer<typeof studySchema> & { file: string; experimentFile: string; name: string };
export type StudyGrid = z.infer<typeof gridSchema>;

/** Loads and validates a study file (`_base_` works as for experiments). */
export function loadStudyConfig(file: string): StudyConfig {
  const raw = loadConfigFile(file);
  const parsed = studySchema.safeParse(raw);
  if (!parsed.success) throw formatZodIssues(parsed.error);
  const cfg = parsed.data;
  const names = Object.keys(cfg.strategies);
  cfg.roles.baseline ??= names.includes('baseline') ? 'baseline' : undefined;
  for (const [role, name] of Object.entries(cfg.roles)) {
    if (name !== undefined && !names.includes(name)) throw new ConfigError(`roles.${role}`, `'${name}' is not one of the study's strategies [${names.join(', ')}] (${file})`);
  }
  for (const name of cfg.sweep.strategies ?? []) {
    if (!names.includes(name)) throw new ConfigError('sweep.strategies', `'${name}' is not one of the study's strategies [${names.join(', ')}] (${file})`);
  }
  const abs = path.resolve(file);
  return { ...cfg, file: abs, experimentFile: path.resolve(path.dirname(abs), cfg.experiment), name: cfg.name ?? path.basename(file).replace(/\.(ya?ml|json)$/i, '') };
}

/** `key.path: value` pairs as `key.path=<json>` overrides (JSON is valid YAML). */
export function toOverrides(map: Record<string, unknown>): string[] {
  return Object.entries(map).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
}
