import * as path from 'node:path';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import {
  Registries,
  TOKENS,
  applyOverrides,
  loadConfigFile,
  validateExperiment,
  type ConfigObject,
  type ExperimentConfig,
  type IernPlugin,
} from '@iern/core';
import { loadPlugins } from './plugins.js';

/** A config file resolved: inheritance, overrides, plugins loaded, validated. */
export interface ResolvedConfig {
  file: string;
  overrides: string[];
  /** Merged config before validation (what the user wrote, with overrides). */
  raw: ConfigObject;
  /** Validated config with defaults. */
  config: ExperimentConfig;
  /** Name: `name` key, else the config file's base name. */
  name: string;
  registries: Registries;
  plugins: IernPlugin[];
  /** Child container of this experiment (registries, config registered). */
  container: DependencyContainer;
}

/**
 * Loads `file` with `_base_` inheritance, applies `key=value` overrides, loads the plugins the
 * config names (relative paths resolve against the config's folder), validates everything.
 */
export async function resolveConfig(file: string, overrides: string[] = [], parent: DependencyContainer = rootContainer): Promise<ResolvedConfig> {
  const raw = applyOverrides(loadConfigFile(file), overrides);
  const container = parent.createChildContainer();
  const registries = new Registries();
  container.register(TOKENS.Registries, { useValue: registries });
  const pluginSpecs = Array.isArray(raw['plugins']) ? (raw['plugins'] as unknown[]).filter((p): p is string => typeof p === 'string') : [];
  const plugins = await loadPlugins(pluginSpecs, path.dirname(path.resolve(file)), registries, container);
  const config = validateExperiment(raw, registries);
  container.register(TOKENS.Config, { useValue: config });
  const name = config.name ?? path.basename(file).replace(/\.(ya?ml|json)$/i, '');
  return { file: path.resolve(file), overrides, raw, config, name, registries, plugins, container };
}
