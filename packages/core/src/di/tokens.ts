/**
 * Injection tokens. Every constructor parameter uses `@inject(TOKENS.X)` explicitly:
 * esbuild and tsx drop emitted decorator metadata, so nothing may rely on it.
 */
export const TOKENS = {
  /** The `Registries` instance (backbones, datasets, strategies, ...). */
  Registries: Symbol.for('iern.Registries'),
  /** The resolved, validated experiment config (`ExperimentConfig`). */
  Config: Symbol.for('iern.Config'),
  /** A `Logger`. */
  Logger: Symbol.for('iern.Logger'),
  /** The active `BackendInfo` after backend selection. */
  Backend: Symbol.for('iern.Backend'),
  /** The experiment's seeded `Rng`. */
  Rng: Symbol.for('iern.Rng'),
  /** The `ModelContext` a strategy is built for (backbone, classes, strata, shapes). */
  ModelContext: Symbol.for('iern.ModelContext'),
  /** The work directory of the current run (string), when there is one. */
  WorkDir: Symbol.for('iern.WorkDir'),
} as const;

export type TokenName = keyof typeof TOKENS;
