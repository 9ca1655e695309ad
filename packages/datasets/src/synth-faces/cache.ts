import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '@iern/core';
import { synthFacesRenderShape, type SynthRenderOptions } from './options.js';

/** Bump when the drawing changes, so old caches are not reused. */
export const SYNTH_FACES_VERSION = 3;

/** The render options only (fold, ratio and split do not change pixels). */
export function renderOptionsOf(o: SynthRenderOptions): SynthRenderOptions {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(synthFacesRenderShape)) out[k] = (o as unknown as Record<string, unknown>)[k];
  return out as unknown as SynthRenderOptions;
}

export function renderKey(o: SynthRenderOptions): string {
  return createHash('sha256').update(JSON.stringify({ v: SYNTH_FACES_VERSION, ...renderOptionsOf(o) })).digest('hex').slice(0, 16);
}

export function defaultCacheDir(o: SynthRenderOptions): string {
  return path.resolve('.cache', 'iern', 'synth-faces', renderKey(o));
}

/**
 * Reads `pixels.bin` when `meta.json` (written last) matches the options and the size is
 * right; anything else is a miss.
 */
export async function readCache(dir: string, o: SynthRenderOptions, bytes: number): Promise<Uint8Array | undefined> {
  try {
    const meta = JSON.parse(await fs.readFile(path.join(dir, 'meta.json'), 'utf8')) as { key?: string; bytes?: number };
    if (meta.key !== renderKey(o) || meta.bytes !== bytes) return undefined;
    const buf = await fs.readFile(path.join(dir, 'pixels.bin'));
    if (buf.byteLength !== bytes) return undefined;
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch {
    return undefined;
  }
}

/** Writes pixels then meta, each atomically: a crash never leaves a meta pointing at partial pixels. */
export async function writeCache(dir: string, o: SynthRenderOptions, pixels: Uint8Array): Promise<void> {
  await writeFileAtomic(path.join(dir, 'pixels.bin'), pixels);
  const meta = { format: 'iern-synth-faces', key: renderKey(o), version: SYNTH_FACES_VERSION, bytes: pixels.byteLength, options: renderOptionsOf(o) };
  await writeFileAtomic(path.join(dir, 'meta.json'), JSON.stringify(meta, null, 2));
}
