import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from '../model/backbone.js';
import type { DataLoader } from './loader.js';
import { disposeBatch, type Batch } from './batch.js';
import type { BatchSource } from './batch-source.js';
import type { Sample } from './sample.js';
import type { Rng } from '../util/rng.js';
import { IernError } from '../errors.js';
import { readSafetensors, writeSafetensors } from '../io/safetensors.js';

/** Backbone features of a set of images, one row per sample id. */
export interface FeatureTable {
  ids: string[];
  /** id -> row. */
  index: Map<string, number>;
  /** Per-sample feature-map shape [h, w, c] (NHWC without N). */
  shape: [number, number, number];
  /** rows * h * w * c float32. */
  data: Float32Array;
  /** Ids of served samples whose image could not be decoded (streaming loaders with onBadSample=skip). */
  skipped: string[];
}

export interface FeatureCacheOptions {
  /** Cache directory (the runner passes `.cache/iern/features` or the work dir). */
  dir: string;
  /** Images per backbone pass while computing (default: the loader's batch size). */
  batchSize?: number;
  /** Recompute and overwrite even when a valid entry exists. */
  refresh?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface FeatureCacheResult {
  table: FeatureTable;
  /** `hit`: read from disk; `miss`: computed and written. */
  status: 'hit' | 'miss';
  /** Why a miss happened (`no entry`, `refresh`, `unreadable: ...`). */
  reason?: string;
  file: string;
  /** sha256 of the key (weights, image set, preprocessing). */
  key: string;
  seconds: number;
}

const FORMAT_VERSION = 1;

/**
 * Cache key: the backbone's weights key and shape, the preprocessing (size, channels,
 * normalisation) and every served sample's id and image identity (file path, size, mtime;
 * or a hash of raw pixels; plus the crop box). Any change gives another key.
 */
export async function featureCacheKey(backbone: Backbone, loader: DataLoader): Promise<string> {
  await loader.prepare();
  const { height, width, channels, normalization } = loader.options;
  const h = createHash('sha256');
  h.update(JSON.stringify({ v: FORMAT_VERSION, type: backbone.type, weights: backbone.weightsKey(), out: backbone.outputChannels, red: backbone.reductionFactor, height, width, channels, normalization }));
  for (const s of loader.servedSamples) h.update(await sampleIdentity(s));
  return h.digest('hex');
}

async function sampleIdentity(s: Sample): Promise<string> {
  const box = s.box ? `${s.box.x},${s.box.y},${s.box.width},${s.box.height}` : '';
  if (s.image.kind === 'file') {
    const file = path.resolve(s.image.path);
    const st = await fs.stat(file).catch(() => undefined);
    return `\n${s.id}\t${file}\t${st?.size ?? -1}\t${st?.mtimeMs ?? -1}\t${box}`;
  }
  const px = createHash('sha1').update(s.image.data).digest('hex');
  return `\n${s.id}\tpixels:${s.image.width}x${s.image.height}x${s.image.channels}:${px}\t${box}`;
}

/** Runs the backbone (eval mode) once over every served sample, in loader order, without augmentation. */
export async function computeFeatures(backbone: Backbone, loader: DataLoader, opts: Pick<FeatureCacheOptions, 'batchSize' | 'onProgress'> = {}): Promise<FeatureTable> {
  await loader.prepare();
  const served = loader.servedSamples;
  const n = served.length;
  const bs = opts.batchSize ?? loader.options.batchSize;
  const ids: string[] = [];
  let shape: [number, number, number] = [0, 0, 0];
  let per = 0;
  let data = new Float32Array(0);
  for (let start = 0; start < n; start += bs) {
    const indices = Array.from({ length: Math.min(bs, n - start) }, (_, j) => start + j);
    // async: works whether the loader keeps images in memory or streams them (and drops bad ones)
    const batch = await loader.makeBatchAsync(indices);
    try {
      if (batch.size > 0) {
        const feats = tf.tidy(() => backbone.apply(batch.images!, false));
        const values = (await feats.data()) as Float32Array;
        if (!per) {
          shape = [feats.shape[1], feats.shape[2], feats.shape[3]];
          per = shape[0] * shape[1] * shape[2];
          data = new Float32Array(n * per);
        }
        feats.dispose();
        data.set(values, ids.length * per);
        ids.push(...batch.ids);
      }
    } finally {
      disposeBatch(batch);
    }
    opts.onProgress?.(start + indices.length, n);
  }
  const index = indexOf(ids);
  const skipped = served.filter((s) => !index.has(s.id)).map((s) => s.id);
  return { ids, index, shape, data: data.subarray(0, ids.length * per), skipped };
}

/**
 * Features of a frozen backbone for a loader's images: read from `dir` when a valid entry
 * exists, else computed once and written atomically (safetensors, tensor `features`).
 */
export async function cachedFeatures(backbone: Backbone, loader: DataLoader, opts: FeatureCacheOptions): Promise<FeatureCacheResult> {
  if (!backbone.frozen) {
    throw new IernError(`feature cache: backbone '${backbone.type}' is trainable; its features change every step (set backbone.freeze=true to cache them)`);
  }
  const t0 = performance.now();
  const key = await featureCacheKey(backbone, loader);
  const file = path.join(opts.dir, `${backbone.type}-${key.slice(0, 24)}.safetensors`);
  let reason = opts.refresh ? 'refresh' : 'no entry';
  if (!opts.refresh) {
    const read = await readEntry(file, key, loader.servedSamples.length);
    if ('table' in read) return { table: read.table, status: 'hit', file, key, seconds: (performance.now() - t0) / 1000 };
    reason = read.reason;
  }
  const table = await computeFeatures(backbone, loader, opts);
  const [h, w, c] = table.shape;
  await writeSafetensors(file, { features: { shape: [table.ids.length, h, w, c], data: table.data } }, { format: 'iern-feature-cache', version: String(FORMAT_VERSION), key, ids: JSON.stringify(table.ids), skipped: JSON.stringify(table.skipped), backbone: backbone.type });
  return { table, status: 'miss', reason, file, key, seconds: (performance.now() - t0) / 1000 };
}

async function readEntry(file: string, key: string, served: number): Promise<{ table: FeatureTable } | { reason: string }> {
  try {
    await fs.access(file);
  } catch {
    return { reason: 'no entry' };
  }
  try {
    const { tensors, metadata } = await readSafetensors(file);
    if (metadata['key'] !== key) return { reason: `unreadable: key in ${file} does not match its name` };
    const t = tensors.get('features');
    const ids = JSON.parse(metadata['ids'] ?? '[]') as string[];
    const skipped = JSON.parse(metadata['skipped'] ?? '[]') as string[];
    if (!t || t.dtype !== 'F32' || t.shape.length !== 4 || t.shape[0] !== ids.length || ids.length + skipped.length !== served) {
      return { reason: `unreadable: ${file} has no float32 [${served - skipped.length}, h, w, c] 'features' tensor` };
    }
    // aligned view, no copy: the header is padded to 8 bytes and large reads own their buffer
    const b = t.bytes;
    const data = b.byteOffset % 4 === 0 ? new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4) : new Float32Array(b.slice().buffer);
    return { table: { ids, index: indexOf(ids), shape: [t.shape[1]!, t.shape[2]!, t.shape[3]!], data, skipped } };
  } catch (e) {
    return { reason: `unreadable: ${(e as Error).message}` };
  }
}

function indexOf(ids: string[]): Map<string, number> {
  const m = new Map<string, number>();
  ids.forEach((id, i) => m.set(id, i));
  return m;
}

export interface CachedSourceOptions {
  batchSize?: number;
  shuffle?: boolean;
  dropLast?: boolean;
}

/**
 * A `BatchSource` serving cached features (`features` set, `images` undefined) for a
 * loader's samples, with the loader's batch size, shuffling and drop-last, and the same
 * use of the epoch Rng as `DataLoader.epoch`. The table may cover more samples than the
 * loader (e.g. a whole dataset shared by every fold); rows are found by sample id.
 * `augment` is ignored: cached features are of un-augmented images.
 */
export class CachedFeatureSource implements BatchSource {
  private rows: number[] = [];
  private emotions = new Int32Array(0);
  private confounders = new Int32Array(0);
  private ids: string[] = [];
  private readonly opts: Required<CachedSourceOptions>;
  /** Samples left out because their image could not be decoded when the features were computed. */
  readonly skipped: Record<string, number> = {};

  constructor(
    readonly table: FeatureTable,
    private readonly loader: DataLoader,
    opts: CachedSourceOptions = {},
  ) {
    const lo = loader.options;
    this.opts = { batchSize: opts.batchSize ?? lo.batchSize, shuffle: opts.shuffle ?? lo.shuffle, dropLast: opts.dropLast ?? lo.dropLast ?? false };
  }

  async prepare(): Promise<void> {
    if (this.ids.length) return;
    await this.loader.prepare();
    const bad = new Set(this.table.skipped);
    const samples = this.loader.servedSamples.filter((s) => !bad.has(s.id));
    const left = this.loader.servedSamples.length - samples.length;
    if (left) this.skipped['bad image'] = left;
    const emo = new Map(this.loader.options.classes.map((c, i) => [c, i]));
    const conf = new Map(this.loader.options.confounders.map((c, i) => [c, i]));
    const missing = samples.filter((s) => !this.table.index.has(s.id)).map((s) => s.id);
    if (missing.length) {
      throw new IernError(`feature cache has no features for ${missing.length} sample(s): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
    }
    this.rows = samples.map((s) => this.table.index.get(s.id)!);
    this.emotions = Int32Array.from(samples, (s) => emo.get(s.emotion) ?? -1);
    this.confounders = Int32Array.from(samples, (s) => (s.confounder !== undefined ? (conf.get(s.confounder) ?? -1) : -1));
    this.ids = samples.map((s) => s.id);
  }

  get size(): number {
    return this.ids.length || this.loader.size;
  }

  batchesPerEpoch(): number {
    const n = this.size;
    return this.opts.dropLast ? Math.floor(n / this.opts.batchSize) : Math.ceil(n / this.opts.batchSize);
  }

  async *epoch(rng?: Rng, _augment = true): AsyncGenerator<Batch> {
    await this.prepare();
    const idx = Array.from({ length: this.ids.length }, (_, i) => i);
    const order = this.opts.shuffle && rng ? rng.shuffle(idx) : idx;
    // DataLoader forks an augmentation stream here; do the same so the epoch Rng advances identically
    if (rng) rng.fork();
    const bs = this.opts.batchSize;
    for (let b = 0; b < this.batchesPerEpoch(); b++) yield this.makeBatch(order.slice(b * bs, (b + 1) * bs));
  }

  /** Batch for positions in the loader's sample order. */
  makeBatch(positions: number[]): Batch {
    const [h, w, c] = this.table.shape;
    const per = h * w * c;
    const buf = new Float32Array(positions.length * per);
    positions.forEach((p, j) => {
      const r = this.rows[p]!;
      buf.set(this.table.data.subarray(r * per, (r + 1) * per), j * per);
    });
    return {
      features: tf.tensor4d(buf, [positions.length, h, w, c]),
      emotions: tf.tensor1d(Int32Array.from(positions, (p) => this.emotions[p]!), 'int32'),
      confounders: tf.tensor1d(Int32Array.from(positions, (p) => this.confounders[p]!), 'int32'),
      ids: positions.map((p) => this.ids[p]!),
      size: positions.length,
    };
  }
}

/** Cached features wrapped as a `BatchSource` for `loader` (what the runner and the bench call). */
export async function cachedFeatureSource(backbone: Backbone, loader: DataLoader, opts: FeatureCacheOptions & CachedSourceOptions): Promise<{ source: CachedFeatureSource; cache: FeatureCacheResult }> {
  const cache = await cachedFeatures(backbone, loader, opts);
  const source = new CachedFeatureSource(cache.table, loader, opts);
  await source.prepare();
  return { source, cache };
}
