import type { DependencyContainer } from 'tsyringe';
import { TOKENS } from './tokens.js';
import type { ExperimentConfig } from '../config/experiment.js';
import type { ModelContext } from '../model/strategy.js';

/** The experiment's `train.seed`, or 0 when no config is registered (plain library use). */
export function experimentSeed(container: DependencyContainer): number {
  return container.isRegistered(TOKENS.Config, true) ? (container.resolve<ExperimentConfig>(TOKENS.Config).train?.seed ?? 0) : 0;
}

/** The ModelContext a strategy is being built for; a clear error when the runner did not provide one. */
export function modelContext(container: DependencyContainer): ModelContext {
  if (!container.isRegistered(TOKENS.ModelContext, true)) {
    throw new Error('strategies are built inside an experiment: register TOKENS.ModelContext (backbone, classes, confounders) first');
  }
  return container.resolve<ModelContext>(TOKENS.ModelContext);
}
