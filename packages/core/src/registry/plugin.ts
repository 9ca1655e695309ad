import type { DependencyContainer } from 'tsyringe';
import type { Registries } from './registries.js';

/**
 * A plugin: exported by a package (`export const plugin`) or a local `.js`/`.ts` file
 * (`export default`). The runner imports the plugins a config lists and calls `register`.
 */
export interface IernPlugin {
  /** Package name or file that provides the plugin (shown by `iern list`). */
  name: string;
  register(registries: Registries, container: DependencyContainer): void | Promise<void>;
}

/** Picks the plugin object out of an imported module: `default`, `plugin`, or the module itself. */
export function pluginFromModule(mod: unknown, specifier: string): IernPlugin {
  const m = mod as Record<string, unknown>;
  const candidates = [m?.['default'], m?.['plugin'], (m?.['default'] as Record<string, unknown>)?.['default'], m];
  for (const c of candidates) {
    if (c && typeof (c as IernPlugin).register === 'function') {
      const p = c as IernPlugin;
      return { name: typeof p.name === 'string' ? p.name : specifier, register: p.register.bind(p) };
    }
  }
  throw new Error(
    `plugin '${specifier}' exports no plugin: export default { name, register(registries, container) } or export const plugin`,
  );
}
