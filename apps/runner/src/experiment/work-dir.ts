import * as path from 'node:path';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { IernError } from '@iern/core';

/** Folder-safe timestamp, e.g. `2026-12-04_21-28-16`. */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
}

/** `work_dirs/<name>/<timestamp>/`, or the explicit directory. Created on call. */
export function makeWorkDir(name: string, explicit?: string, root = 'work_dirs'): string {
  let dir = path.resolve(explicit ?? path.join(root, name, timestamp()));
  // Two runs started in the same second get distinct folders.
  for (let i = 1; !explicit && existsSync(dir); i++) dir = path.resolve(path.join(root, name, `${timestamp()}_${i}`));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * `--resume auto`: the newest `last.ckpt` among the run folders of this config
 * (`<root>/<name>/*`), or in `explicit` when a work dir is given.
 */
export function findResumeCheckpoint(name: string, explicit?: string, root = 'work_dirs'): string {
  if (explicit) {
    const file = path.resolve(explicit, 'last.ckpt');
    if (!existsSync(file)) throw new IernError(`--resume auto: no last.ckpt in ${path.resolve(explicit)}`, 2);
    return file;
  }
  const base = path.resolve(root, name);
  const runs = existsSync(base) ? readdirSync(base) : [];
  const found = runs
    .map((r) => path.join(base, r, 'last.ckpt'))
    .filter((f) => existsSync(f))
    .map((f) => ({ f, t: statSync(f).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  if (!found.length) throw new IernError(`--resume auto: no run of '${name}' with a last.ckpt under ${base}`, 2);
  return found[0]!.f;
}
