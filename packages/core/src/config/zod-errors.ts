import type { z } from 'zod';
import { ConfigError } from '../errors.js';

/** Joins a key path prefix and a zod issue path into `a.b[2].c`. */
export function joinPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

/** Turns zod issues into one ConfigError whose message names every failing key path. */
export function formatZodIssues(error: z.ZodError, prefix = ''): ConfigError {
  const parts: string[] = [];
  let firstPath = prefix;
  error.issues.forEach((issue, i) => {
    let path = joinPath(prefix, issue.path);
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      const keys = (issue as { keys: string[] }).keys;
      path = keys.map((k) => joinPath(path, [k])).join(', ');
      message = `unknown key${keys.length > 1 ? 's' : ''}`;
    }
    if (i === 0) firstPath = path;
    parts.push(i === 0 ? message : `${path}: ${message}`);
  });
  return new ConfigError(firstPath, parts.join('; '));
}
