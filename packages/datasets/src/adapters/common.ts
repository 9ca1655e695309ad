import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { DataError, hashString, type Box, type Dataset, type Sample } from '@iern/core';

/** Image file extensions the adapters pick up (any case). */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.tif', '.tiff', '.webp', '.gif', '.bmp'];

export function isImageFile(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(name).toLowerCase());
}

/** A missing dataset directory: an error naming the expected path. */
export function requireDir(dir: string, what: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DataError(dir, `${what} not found (expected a directory at ${dir})`);
  return dir;
}

/** A missing label/list file: an error naming the expected path. */
export function requireFile(file: string, what: string): string {
  if (!existsSync(file) || !statSync(file).isFile()) throw new DataError(file, `${what} not found (expected a file at ${file})`);
  return file;
}

/** Sorted entries of a directory (names only). */
export function listDir(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** Sorted sub-directory names. */
export function subDirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** Finds an entry by name ignoring case (`Val` vs `val`, `.JPG` vs `.jpg`). */
export function findCaseInsensitive(dir: string, name: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  if (existsSync(path.join(dir, name))) return path.join(dir, name);
  const lower = name.toLowerCase();
  const hit = readdirSync(dir).find((e) => e.toLowerCase() === lower);
  return hit ? path.join(dir, hit) : undefined;
}

/** Sorts file names by the numbers inside them (`img2` before `img10`). */
export function naturalSort(names: string[]): string[] {
  return names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** Options every adapter has. */
export const rootOption = z.string().min(1);

/** For datasets with no official split: `all`, or a deterministic held-out share by group. */
export const holdoutOptions = {
  split: z.enum(['all', 'train', 'test']).default('all'),
  /** Share of groups (subjects, images) put in `test` when the dataset has no official split. */
  testFraction: z.number().min(0).max(1).default(0.2),
  /** Seed of the group split. */
  splitSeed: z.number().int().default(0),
};

/** Which side of a generated split a group falls on: a stable hash, so adding files moves nothing else. */
export function holdoutSide(group: string, testFraction: number, seed: number): 'train' | 'test' {
  return hashString(`${seed}:${group}`) / 4294967296 < testFraction ? 'test' : 'train';
}

/**
 * Collects samples, skip counts and problems while an adapter reads files, then builds the
 * `Dataset`. Skips always carry a reason.
 */
export class DatasetBuilder {
  readonly samples: Sample[] = [];
  readonly skipped: Record<string, number> = {};
  readonly problems: string[] = [];

  constructor(
    readonly name: string,
    readonly classes: readonly string[],
  ) {}

  skip(reason: string, n = 1): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + n;
  }

  private readonly groups = new Map<Sample, string>();

  /** Adds a sample; `group` (subject, source image) keeps related samples on one side of a generated split. */
  add(sample: Sample, group?: string): void {
    this.samples.push(sample);
    if (group !== undefined) this.groups.set(sample, group);
  }

  /** Keeps only samples of `split` (when not `all`). Other splits are a selection, not a skip. */
  keepSplit(split: string): void {
    if (split === 'all') return;
    const kept = this.samples.filter((s) => s.split === split);
    this.samples.length = 0;
    this.samples.push(...kept);
  }

  /** Assigns generated train/test sides by group (default: the sample id), then keeps `split`. */
  holdout(o: { split: string; testFraction: number; splitSeed: number }): void {
    for (const s of this.samples) s.split = holdoutSide(this.groups.get(s) ?? s.id, o.testFraction, o.splitSeed);
    this.keepSplit(o.split);
  }

  build(): Dataset {
    const confounders = [...new Set(this.samples.map((s) => s.confounder).filter((c): c is string => c !== undefined))].sort();
    return {
      name: this.name,
      classes: [...this.classes],
      confounders,
      samples: this.samples,
      skipped: this.skipped,
      problems: this.problems,
    };
  }
}

/** A file sample. */
export function fileSample(id: string, file: string, emotion: string, extra: Partial<Sample> = {}): Sample {
  return { id, image: { kind: 'file', path: file }, emotion, ...extra };
}

/** A face box from left/top/right/bottom, or undefined when it is empty. */
export function boxFromLtrb(left: number, top: number, right: number, bottom: number): Box | undefined {
  const width = right - left;
  const height = bottom - top;
  if (!(width > 0 && height > 0)) return undefined;
  return { x: left, y: top, width, height };
}

/** Resolves `p` against `base` unless it is absolute. */
export function resolveFrom(base: string, p: string): string {
  return path.isAbsolute(p) ? p : path.join(base, p);
}

/**
 * Finds an image whose listed extension or case does not match the file on disk (AffectNet
 * lists `.jpg` for some `.png`/`.JPG` files): the path as given when it exists, else the file in
 * the same folder with the same stem (any case, any image extension), else the path as given
 * (the loader then reports it). `cache` holds folder listings.
 */
export function resolveImagePath(p: string, cache: Map<string, Map<string, string>>): string {
  if (existsSync(p)) return p;
  const dir = path.dirname(p);
  let listing = cache.get(dir);
  if (!listing) {
    listing = new Map();
    if (existsSync(dir)) for (const f of readdirSync(dir)) if (isImageFile(f)) listing.set(path.parse(f).name.toLowerCase(), f);
    cache.set(dir, listing);
  }
  const hit = listing.get(path.parse(p).name.toLowerCase());
  return hit ? path.join(dir, hit) : p;
}
