import * as tf from '@tensorflow/tfjs-core';
import type { Sample } from './sample.js';
import type { Batch } from './batch.js';
import { decodeSampleBytes, type DecodedImage, type DecodeOptions } from './decode.js';
import type { Normalization } from '../model/backbone.js';
import type { AugmentConfig } from '../config/experiment.js';
import { Rng } from '../util/rng.js';
import { IernError } from '../errors.js';
import { fillBatch, normalizationTable } from './batch-fill.js';
import { LoaderPool } from './loader-pool.js';

/**
 * Changes a decoded image in place or returns a new one (train-time augmentation).
 * `buildAugment` attaches its `config`, which lets loader workers rebuild the same function.
 */
export type Augment = ((img: DecodedImage, rng: Rng) => DecodedImage) & { config?: AugmentConfig };

export interface LoaderOptions extends DecodeOptions {
  batchSize: number;
  /** Class names, index = label. Samples with other emotions are an error. */
  classes: string[];
  /** Confounder names, index = label; unknown -> -1. */
  confounders: string[];
  normalization: Normalization;
  shuffle: boolean;
  /** Drop a final partial batch (training). */
  dropLast?: boolean;
  augment?: Augment;
  onBadSample?: 'error' | 'skip';
  /**
   * Worker threads that build augmented batches ahead of the training step (`data.loaderWorkers`).
   * 0 = on the main thread. Used only when `augment` comes from `buildAugment`.
   */
  workers?: number;
  /** Batches built ahead per worker (default 2). */
  prefetch?: number;
  /** Images decoded at once by sharp (default 16). */
  decodeConcurrency?: number;
  /**
   * Largest decoded-image cache kept in memory, in MiB (default 2048). Above it the loader
   * streams: each batch is decoded by sharp (off the main thread) while earlier batches train.
   */
  cacheLimitMB?: number;
}

/**
 * Decodes every image once (cached as uint8 in one shared buffer, 4x smaller than floats),
 * then serves shuffled, augmented, normalised batches as tensors. Skipped bad samples are
 * counted. With `workers`, augmented batches are built in worker threads while the training
 * step runs. When the cache would exceed `cacheLimitMB`, the loader streams instead: batches
 * are decoded by sharp a few batches ahead (bad images are counted when first met). Each batch's augmentation draws from its own fork of the epoch's augmentation
 * stream, so results do not depend on where a batch is built.
 */
export class DataLoader {
  private pixels: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  private kept: Sample[] = [];
  private prepared = false;
  private streaming = false;
  /** Streaming mode: indices found bad (skipped from then on, counted once). */
  private readonly bad = new Set<number>();
  private pool?: LoaderPool;
  readonly skipped: Record<string, number> = {};
  private readonly emotionIndex = new Map<string, number>();
  private readonly confounderIndex = new Map<string, number>();
  private readonly tables: Float32Array[];

  constructor(
    private readonly samples: Sample[],
    readonly options: LoaderOptions,
  ) {
    options.classes.forEach((c, i) => this.emotionIndex.set(c, i));
    options.confounders.forEach((c, i) => this.confounderIndex.set(c, i));
    this.tables = normalizationTable(options.normalization.mean, options.normalization.std, options.channels);
  }

  private get per(): number {
    return this.options.height * this.options.width * this.options.channels;
  }

  /** `memory` (every image decoded once and cached) or `stream` (decoded per batch, prefetched). */
  get mode(): 'memory' | 'stream' {
    return this.streaming ? 'stream' : 'memory';
  }

  /** Decodes one sample; null when it is bad and `onBadSample` is `skip`. */
  private async decodeOne(s: Sample): Promise<Uint8Array | null> {
    try {
      return (await decodeSampleBytes(s, this.options)).data;
    } catch (e) {
      if (this.options.onBadSample === 'skip') return null;
      throw new IernError(`${(e as Error).message} (set data.onBadSample=skip to count and skip bad images)`);
    }
  }

  /** Decodes all images (call once before iterating); in streaming mode only checks labels. */
  async prepare(): Promise<void> {
    if (this.prepared) return;
    for (const s of this.samples) {
      if (!this.emotionIndex.has(s.emotion)) {
        throw new IernError(`sample ${s.id}: emotion '${s.emotion}' is not in the class list [${this.options.classes.join(', ')}]`);
      }
    }
    if (this.samples.length * this.per > (this.options.cacheLimitMB ?? 2048) * 1024 * 1024) {
      this.streaming = true;
      this.kept = [...this.samples];
      this.prepared = true;
      return;
    }
    const results = await mapLimit(this.samples, this.options.decodeConcurrency ?? 16, (s) => this.decodeOne(s));
    const per = this.per;
    const good = results.filter((r): r is Uint8Array => r !== null).length;
    this.pixels = new Uint8Array(new SharedArrayBuffer(Math.max(1, good * per)));
    let n = 0;
    results.forEach((img, i) => {
      if (img) {
        this.pixels.set(img, n++ * per);
        this.kept.push(this.samples[i]!);
      } else this.skipped['bad image'] = (this.skipped['bad image'] ?? 0) + 1;
    });
    this.prepared = true;
  }

  get size(): number {
    return this.prepared ? this.kept.length : this.samples.length;
  }

  /** Samples actually served (after skips), in dataset order. */
  get servedSamples(): readonly Sample[] {
    return this.kept;
  }

  batchesPerEpoch(): number {
    const n = this.size;
    return this.options.dropLast ? Math.floor(n / this.options.batchSize) : Math.ceil(n / this.options.batchSize);
  }

  /** Index order for one epoch (shuffled with `rng` when `shuffle`). */
  order(rng?: Rng): number[] {
    const idx = Array.from({ length: this.kept.length }, (_, i) => i);
    return this.options.shuffle && rng ? rng.shuffle(idx) : idx;
  }

  /** Iterates one epoch of batches; the caller disposes each batch. */
  async *epoch(rng?: Rng, augment = true): AsyncGenerator<Batch> {
    await this.prepare();
    const order = this.order(rng);
    const bs = this.options.batchSize;
    const nb = this.batchesPerEpoch();
    const augRng = rng ? rng.fork() : new Rng(0);
    const aug = augment ? this.options.augment : undefined;
    const slice = (b: number) => order.slice(b * bs, (b + 1) * bs);
    if (this.streaming) {
      yield* this.streamEpoch(nb, slice, aug ? augRng : undefined);
      return;
    }
    const pool = aug ? this.workerPool(aug) : undefined;
    if (!pool) {
      for (let b = 0; b < nb; b++) yield this.makeBatch(slice(b), aug ? augRng.fork() : undefined);
      return;
    }
    // Prefetch: keep batches in flight in the workers; forks are drawn in batch order, so the
    // result is the same as on the main thread. Tensors are made only when a batch is yielded.
    const depth = Math.max(1, (this.options.workers ?? 1) * (this.options.prefetch ?? 2));
    const pending: { indices: number[]; data: Promise<Float32Array> }[] = [];
    let next = 0;
    const submit = () => {
      const indices = slice(next++);
      const data = pool.run(indices, augRng.fork().getState());
      data.catch(() => undefined); // awaited below; avoid an unhandled rejection if abandoned
      pending.push({ indices, data });
    };
    while (next < nb && pending.length < depth) submit();
    while (pending.length) {
      const job = pending.shift()!;
      const data = await job.data;
      if (next < nb) submit();
      yield this.wrap(job.indices, data);
    }
  }

  /**
   * Streaming epoch: sharp decodes the next `prefetch` batches (in libuv threads) while the
   * current one trains; augmentation runs in loader workers when there are any.
   */
  private async *streamEpoch(nb: number, slice: (b: number) => number[], augRng?: Rng): AsyncGenerator<Batch> {
    const aug = augRng ? this.options.augment : undefined;
    const pool = aug ? this.workerPool(aug) : undefined;
    const depth = Math.max(2, (this.options.workers ?? 1) * (this.options.prefetch ?? 2));
    const pending: Promise<{ indices: number[]; data: Float32Array }>[] = [];
    let next = 0;
    const submit = () => {
      const indices = slice(next++);
      const rng = augRng?.fork();
      const job = this.decodeBatch(indices).then(async ({ indices: good, pixels }) => {
        if (pool && rng) return { indices: good, data: await pool.run(good.map((_, i) => i), rng.getState(), pixels) };
        return { indices: good, data: fillBatch(pixels, good.map((_, i) => i), this.options, this.options.normalization, aug, rng, this.tables) };
      });
      job.catch(() => undefined); // awaited below; avoid an unhandled rejection if abandoned
      pending.push(job);
    };
    while (next < nb && pending.length < depth) submit();
    while (pending.length) {
      const { indices, data } = await pending.shift()!;
      if (next < nb) submit();
      if (indices.length) yield this.wrap(indices, data);
    }
  }

  /** Streaming: decodes a batch's images into one buffer, dropping (and counting once) bad ones. */
  private async decodeBatch(indices: number[]): Promise<{ indices: number[]; pixels: Uint8Array }> {
    const live = indices.filter((i) => !this.bad.has(i));
    const imgs = await mapLimit(live, this.options.decodeConcurrency ?? 16, (i) => this.decodeOne(this.kept[i]!));
    const good: number[] = [];
    const per = this.per;
    const pixels = new Uint8Array(per * imgs.filter(Boolean).length);
    imgs.forEach((img, j) => {
      if (img) {
        pixels.set(img, good.length * per);
        good.push(live[j]!);
      } else if (!this.bad.has(live[j]!)) {
        this.bad.add(live[j]!);
        this.skipped['bad image'] = (this.skipped['bad image'] ?? 0) + 1;
      }
    });
    return { indices: good, pixels };
  }

  /** Like `makeBatch`, in both modes (streaming decodes the images; bad ones are left out when skipping). */
  async makeBatchAsync(indices: number[], augRng?: Rng): Promise<Batch> {
    await this.prepare();
    if (!this.streaming) return this.makeBatch(indices, augRng);
    const { indices: good, pixels } = await this.decodeBatch(indices);
    const augment = augRng ? this.options.augment : undefined;
    const data = fillBatch(pixels, good.map((_, i) => i), this.options, this.options.normalization, augment, augRng, this.tables);
    return this.wrap(good, data);
  }

  /** Builds one batch tensor set from sample indices (augmenting with `augRng` when given). */
  makeBatch(indices: number[], augRng?: Rng): Batch {
    if (this.streaming) {
      throw new IernError(`makeBatch needs the in-memory image cache, but ${this.samples.length} images exceed cacheLimitMB; use makeBatchAsync or epoch()`);
    }
    const augment = augRng ? this.options.augment : undefined;
    const data = fillBatch(this.pixels, indices, this.options, this.options.normalization, augment, augRng, this.tables);
    return this.wrap(indices, data);
  }

  /** Stops loader workers (they are unref'd, so this is only needed to free them early). */
  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = undefined;
  }

  private workerPool(aug: Augment): LoaderPool | undefined {
    const n = this.options.workers ?? 0;
    if (n <= 0 || !aug.config || !this.kept.length) return undefined;
    this.pool ??= new LoaderPool(n, {
      pixels: this.pixels.buffer as unknown as SharedArrayBuffer,
      height: this.options.height,
      width: this.options.width,
      channels: this.options.channels,
      mean: [...this.options.normalization.mean],
      std: [...this.options.normalization.std],
      augment: aug.config,
    });
    return this.pool;
  }

  private wrap(indices: number[], data: Float32Array): Batch {
    const { height: h, width: w, channels: c } = this.options;
    const emo = new Int32Array(indices.length);
    const conf = new Int32Array(indices.length);
    indices.forEach((i, j) => {
      const s = this.kept[i]!;
      emo[j] = this.emotionIndex.get(s.emotion)!;
      conf[j] = s.confounder !== undefined ? (this.confounderIndex.get(s.confounder) ?? -1) : -1;
    });
    return {
      images: tf.tensor4d(data, [indices.length, h, w, c]),
      emotions: tf.tensor1d(emo, 'int32'),
      confounders: tf.tensor1d(conf, 'int32'),
      ids: indices.map((i) => this.kept[i]!.id),
      size: indices.length,
    };
  }
}

/** Maps with at most `limit` promises in flight, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return out;
}
