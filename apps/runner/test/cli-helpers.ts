import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const CLI = path.join(ROOT, 'apps/runner/bin/iern.js');
export const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));

/** Runs the built `iern` CLI (npm test builds it first). */
export function iern(args: string[], opts: { cwd?: string; timeout?: number } = {}) {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first (npm test does)`);
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    timeout: opts.timeout ?? 180_000,
    env: { ...process.env, IERN_LOG_LEVEL: 'info', FORCE_COLOR: '0' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
