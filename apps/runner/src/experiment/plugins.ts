import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { DependencyContainer } from 'tsyringe';
import { IernError, pluginFromModule, type IernPlugin, type Registries } from '@iern/core';

/** Plugins every experiment gets; configs add their own with `plugins: [...]`. */
export const BUILTIN_PLUGINS = ['@iern/backbones', '@iern/datasets', '@iern/intervention'] as const;

function isPath(spec: string): boolean {
  return spec.startsWith('.') || spec.startsWith('/') || /\.(m?[jt]s)$/.test(spec);
}

/** Imports one plugin: a package name, or a local .js/.ts file (relative to `baseDir`). */
export async function importPlugin(spec: string, baseDir: string): Promise<IernPlugin> {
  let mod: unknown;
  if (isPath(spec)) {
    const file = path.resolve(baseDir, spec);
    if (!existsSync(file)) throw new IernError(`plugin file not found: ${file} (config key 'plugins')`, 2);
    try {
      if (/\.m?ts$/.test(file)) {
        // TypeScript plugins are compiled on the fly by tsx (esbuild); explicit @inject tokens keep DI working.
        const { tsImport } = await import('tsx/esm/api');
        mod = await tsImport(pathToFileURL(file).href, import.meta.url);
      } else mod = await import(pathToFileURL(file).href);
    } catch (e) {
      throw new IernError(`cannot load plugin ${file}: ${(e as Error).message}`, 2);
    }
  } else {
    try {
      mod = await import(spec);
    } catch (e) {
      throw new IernError(`cannot load plugin package '${spec}' (config key 'plugins'): ${(e as Error).message.split('\n')[0]}`, 2);
    }
  }
  try {
    return pluginFromModule(mod, spec);
  } catch (e) {
    throw new IernError((e as Error).message, 2);
  }
}

/** Loads built-in and configured plugins and lets each register its entries. */
export async function loadPlugins(specs: readonly string[], baseDir: string, registries: Registries, container: DependencyContainer): Promise<IernPlugin[]> {
  const loaded: IernPlugin[] = [];
  for (const spec of [...BUILTIN_PLUGINS, ...specs]) {
    const plugin = await importPlugin(spec, baseDir);
    await plugin.register(registries, container);
    loaded.push(plugin);
  }
  return loaded;
}
