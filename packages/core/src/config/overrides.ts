import YAML from 'yaml';
import { ConfigError } from '../errors.js';
import { isPlainObject, type ConfigObject } from './load.js';

/**
 * Applies Hydra-style overrides: `a.b.c=value` (value parsed as YAML, so `2`, `true`,
 * `[1,2]`, `{x: 1}` work), `~a.b` deletes a key. Intermediate mappings are created.
 * Returns a new object; the input is not modified.
 */
export function applyOverrides(cfg: ConfigObject, overrides: readonly string[]): ConfigObject {
  const out = structuredClone(cfg);
  for (const raw of overrides) {
    if (raw.startsWith('~')) {
      const keys = splitKeyPath(raw.slice(1), raw);
      const parent = walk(out, keys.slice(0, -1), raw, false);
      if (parent) delete parent[keys[keys.length - 1]!];
      continue;
    }
    const eq = raw.indexOf('=');
    if (eq <= 0) throw new ConfigError(raw, `override must look like key.path=value`);
    const keyPath = raw.slice(0, eq).replace(/^\+/, '');
    const text = raw.slice(eq + 1);
    let value: unknown;
    try {
      value = text === '' ? '' : YAML.parse(text);
    } catch (e) {
      throw new ConfigError(keyPath, `cannot parse override value '${text}': ${(e as Error).message.split('\n')[0]}`);
    }
    const keys = splitKeyPath(keyPath, raw);
    const parent = walk(out, keys.slice(0, -1), keyPath, true)!;
    parent[keys[keys.length - 1]!] = value;
  }
  return out;
}

function splitKeyPath(keyPath: string, raw: string): string[] {
  const keys = keyPath.split('.');
  if (keys.some((k) => k === '')) throw new ConfigError(raw, 'empty key in key path');
  return keys;
}

function walk(root: ConfigObject, keys: string[], keyPath: string, create: boolean): ConfigObject | undefined {
  let node = root;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    let next = node[k];
    if (next === undefined || next === null) {
      if (!create) return undefined;
      next = {};
      node[k] = next;
    }
    if (!isPlainObject(next)) {
      throw new ConfigError(keys.slice(0, i + 1).join('.'), `cannot set '${keyPath}': '${keys.slice(0, i + 1).join('.')}' is not a mapping`);
    }
    node = next;
  }
  return node;
}
