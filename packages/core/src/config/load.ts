import { readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { ConfigError, IernError } from '../errors.js';

export type ConfigObject = Record<string, unknown>;

export function isPlainObject(v: unknown): v is ConfigObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge: mappings merge key by key, lists and scalars in `over` replace. `_delete_: true` replaces a mapping whole. */
export function mergeConfig(base: ConfigObject, over: ConfigObject): ConfigObject {
  const out: ConfigObject = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const prev = out[k];
    if (isPlainObject(v) && isPlainObject(prev) && v['_delete_'] !== true) out[k] = mergeConfig(prev, v);
    else if (isPlainObject(v) && v['_delete_'] === true) {
      const { _delete_, ...rest } = v;
      out[k] = rest;
    } else out[k] = v;
  }
  return out;
}

/** Parses a YAML or JSON file; errors name the file and line. */
export function parseConfigFile(file: string): ConfigObject {
  if (!existsSync(file)) throw new IernError(`config file not found: ${file}`, 2);
  const text = readFileSync(file, 'utf8');
  let doc: unknown;
  if (file.endsWith('.json')) {
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new IernError(`${file}: invalid JSON: ${(e as Error).message}`, 2);
    }
  } else {
    const parsed = YAML.parseDocument(text, { prettyErrors: true });
    if (parsed.errors.length) {
      const e = parsed.errors[0]!;
      const line = e.linePos?.[0]?.line;
      throw new IernError(`${file}${line ? `:${line}` : ''}: invalid YAML: ${e.message.split('\n')[0]}`, 2);
    }
    doc = parsed.toJS();
  }
  if (doc == null) return {};
  if (!isPlainObject(doc)) throw new IernError(`${file}: the top level must be a mapping`, 2);
  return doc;
}

/**
 * Loads a config with `_base_` inheritance (a path or list of paths relative to the file;
 * later bases override earlier ones, the file overrides its bases).
 */
export function loadConfigFile(file: string, seen: string[] = []): ConfigObject {
  const abs = path.resolve(file);
  if (seen.includes(abs)) throw new IernError(`config inheritance cycle: ${[...seen, abs].join(' -> ')}`, 2);
  const doc = parseConfigFile(abs);
  const bases = doc['_base_'];
  delete doc['_base_'];
  if (bases === undefined) return doc;
  const list = Array.isArray(bases) ? bases : [bases];
  let merged: ConfigObject = {};
  for (const b of list) {
    if (typeof b !== 'string') throw new ConfigError('_base_', `${abs}: expected a path or a list of paths`);
    merged = mergeConfig(merged, loadConfigFile(path.resolve(path.dirname(abs), b), [...seen, abs]));
  }
  return mergeConfig(merged, doc);
}
