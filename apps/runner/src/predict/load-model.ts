import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { container as rootContainer } from 'tsyringe';
import {
  IernError,
  Registries,
  Rng,
  TOKENS,
  loadCheckpoint,
  readCheckpointMeta,
  restoreStrategy,
  selectBackend,
  validateExperiment,
  type BackendChoice,
  type BackendInfo,
  type CheckpointMeta,
  type ConfigObject,
  type ExperimentConfig,
  type Logger,
  type ModelContext,
  type Normalization,
  type Strategy,
} from '@iern/core';
import { loadPlugins } from '../experiment/plugins.js';

/** A trained model rebuilt from a checkpoint alone (no dataset needed). */
export interface LoadedModel {
  file: string;
  meta: CheckpointMeta;
  config: ExperimentConfig;
  strategy: Strategy;
  classes: string[];
  confounders: string[];
  /** [H, W, C] network input. */
  inputShape: [number, number, number];
  normalization: Normalization;
  backend: BackendInfo;
  /** Frees the strategy's and the backbone's tensors. */
  dispose(): void;
}

/**
 * Rebuilds backbone and strategy from the config stored in a checkpoint, through the
 * registries (plugins included), and restores the weights and strategy state.
 */
export async function loadModel(file: string, logger: Logger, backend?: BackendInfo): Promise<LoadedModel> {
  const stored = await readCheckpointMeta(file);
  const backendChoice = (stored.config as { backend?: BackendChoice }).backend ?? 'auto';
  const info = backend ?? (await selectBackend(backendChoice, logger));
  const ckpt = await loadCheckpoint(file);
  try {
    const { meta } = ckpt;
    const context = meta.extra['context'] as Omit<ModelContext, 'backbone'> | undefined;
    const normalization = meta.extra['normalization'] as Normalization | undefined;
    if (!context || !normalization) {
      throw new IernError(`${file}: checkpoint has no model context or preprocessing (written by an older iern train?); it cannot be used for predict`, 2);
    }
    const child = rootContainer.createChildContainer();
    const registries = new Registries();
    child.register(TOKENS.Registries, { useValue: registries });
    const raw = meta.config as ConfigObject;
    const plugins = Array.isArray(raw['plugins']) ? (raw['plugins'] as string[]) : [];
    const configFile = meta.extra['configFile'];
    await loadPlugins(plugins, typeof configFile === 'string' ? path.dirname(configFile) : process.cwd(), registries, child);
    let config: ExperimentConfig;
    try {
      config = validateExperiment(raw, registries);
    } catch (e) {
      throw new IernError(`${file}: the config stored in the checkpoint does not validate here: ${(e as Error).message}`, 2);
    }
    child.register(TOKENS.Config, { useValue: config });
    child.register(TOKENS.Logger, { useValue: logger });
    child.register(TOKENS.Backend, { useValue: info });
    child.register(TOKENS.Rng, { useValue: new Rng(config.train.seed) });
    const backbone = await registries.backbones.build(config.model.backbone, child, 'model.backbone');
    const ctx: ModelContext = { ...context, backbone, classes: meta.classes, confounders: meta.confounders };
    child.register(TOKENS.ModelContext, { useValue: ctx });
    const strategy = await registries.strategies.build(config.model.strategy, child, 'model.strategy');
    try {
      await restoreStrategy(strategy, ckpt, file, false);
      const state = meta.extra['strategyState'] as Record<string, unknown> | undefined;
      if (state && strategy.setState) strategy.setState(state);
    } catch (e) {
      strategy.dispose();
      backbone.dispose();
      throw e;
    }
    const dispose = () => {
      strategy.dispose();
      backbone.dispose();
    };
    return { file, meta, config, strategy, classes: meta.classes, confounders: meta.confounders, inputShape: ctx.inputShape, normalization, backend: info, dispose };
  } finally {
    tf.dispose([...ckpt.tensors.values()]);
  }
}
