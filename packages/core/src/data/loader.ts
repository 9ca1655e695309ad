import * as tf from '@tensorflow/tfjs-core';
import type { Sample } from './sample.js';
import type { Batch } from './batch.js';
import { decodeSample, type DecodedImage, type DecodeOptions } from './decode.js';
import type { Normalization } from '../model/backbone.js';
import { Rng } from '../util/rng.js';
import { IernError } from '../errors.js';

/** Changes a decoded image in place or returns a new one (train-time augmentation). */
export type Augment = (img: DecodedImage, rng: Rng) => DecodedImage;

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
}

/**
 * Decodes every image once (kept in memory as [0,1] floats), then serves shuffled,
 * augmented, normalised batches as tensors. Skipped bad samples are counted.
 */
export class DataLoader {
  private images: DecodedImage[] = [];
  private kept: Sample[] = [];
  readonly skipped: Record<string, number> = {};
  private readonly emotionIndex = new Map<string, number>();
  private readonly confounderIndex = new Map<string, number>();

  constructor(
    private readonly samples: Sample[],
    readonly options: LoaderOptions,
  ) {
    options.classes.forEach((c, i) => this.emotionIndex.set(c, i));
    options.confounders.forEach((c, i) => this.confounderIndex.set(c, i));
  }

  /** Decodes all images (call once before iterating). */
  async prepare(): Promise<void> {
    if (this.kept.length) return;
    const results = await mapLimit(this.samples, 8, async (s) => {
      if (!this.emotionIndex.has(s.emotion)) {
        throw new IernError(`sample ${s.id}: emotion '${s.emotion}' is not in the class list [${this.options.classes.join(', ')}]`);
      }
      try {
        return await decodeSample(s, this.options);
      } catch (e) {
        if (this.options.onBadSample === 'skip') return null;
        throw new IernError(`${(e as Error).message} (set data.onBadSample=skip to count and skip bad images)`);
      }
    });
    results.forEach((img, i) => {
      if (img) {
        this.images.push(img);
        this.kept.push(this.samples[i]!);
      } else this.skipped['bad image'] = (this.skipped['bad image'] ?? 0) + 1;
    });
  }

  get size(): number {
    return this.kept.length || this.samples.length;
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
    for (let b = 0; b < nb; b++) {
      yield this.makeBatch(order.slice(b * bs, (b + 1) * bs), augment ? augRng : undefined);
    }
  }

  /** Builds one batch tensor set from sample indices. */
  makeBatch(indices: number[], augRng?: Rng): Batch {
    const { height: h, width: w, channels: c } = this.options;
    const per = h * w * c;
    const buf = new Float32Array(indices.length * per);
    const emo = new Int32Array(indices.length);
    const conf = new Int32Array(indices.length);
    const { mean, std } = this.options.normalization;
    indices.forEach((i, j) => {
      let img = this.images[i]!;
      if (augRng && this.options.augment) img = this.options.augment({ ...img, data: img.data.slice() }, augRng);
      const d = img.data;
      const off = j * per;
      for (let p = 0; p < h * w; p++) {
        for (let k = 0; k < c; k++) {
          const ch = c === 1 ? 0 : k;
          buf[off + p * c + k] = (d[p * c + k]! - mean[ch]!) / std[ch]!;
        }
      }
      const s = this.kept[i]!;
      emo[j] = this.emotionIndex.get(s.emotion)!;
      conf[j] = s.confounder !== undefined ? (this.confounderIndex.get(s.confounder) ?? -1) : -1;
    });
    return {
      images: tf.tensor4d(buf, [indices.length, h, w, c]),
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
