import * as path from 'node:path';
import { mkdirSync } from 'node:fs';

/** `work_dirs/<name>/<timestamp>/`, or the explicit directory. Created on call. */
export function makeWorkDir(name: string, explicit?: string, root = 'work_dirs'): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
  const dir = path.resolve(explicit ?? path.join(root, name, stamp));
  mkdirSync(dir, { recursive: true });
  return dir;
}
