import * as tf from '@tensorflow/tfjs-core';
import { float32View } from '../backend/heap.js';
import type { GradientArrays } from '../train/gradient-arrays.js';
import type { VariableNames } from './names.js';

/**
 * Where the gradients of one `minimize` call sit in a flat float32 buffer, in the call's order.
 * A step may reduce several variable sets (IERN's three optimisers): `key` tells them apart.
 */
export class GradLayout {
  /** Stable names in order, joined: the same on every replica running the same code. */
  readonly key: string;
  readonly offsets: number[] = [];
  readonly total: number;

  constructor(
    /** tfjs variable names (this thread's) in the order of `grads`. */
    readonly local: string[],
    readonly sizes: number[],
    stable: string[],
  ) {
    this.key = stable.join('\n');
    let at = 0;
    for (const n of sizes) {
      this.offsets.push(at);
      at += n;
    }
    this.total = at;
  }

  static of(grads: tf.NamedTensorMap, names: VariableNames): GradLayout {
    const local = Object.keys(grads);
    return new GradLayout(local, local.map((n) => grads[n]!.size), local.map((n) => names.stable(n)));
  }

  /** Read-only views of `buffer` per variable. */
  views(buffer: Float32Array): GradientArrays {
    return this.local.map((name, i) => [name, buffer.subarray(this.offsets[i]!, this.offsets[i]! + this.sizes[i]!)]);
  }

  /** Copies this thread's gradients into `buffer` (read in place from the wasm heap: one copy). */
  write(grads: tf.NamedTensorMap, buffer: Float32Array): void {
    this.local.forEach((name, i) => buffer.set(float32View(grads[name]!), this.offsets[i]!));
  }

  /** Why a replica's gradients do not fit this layout ('' when they do). */
  mismatch(key: string, sizes: number[]): string {
    if (key !== this.key) return `gradients of other variables (${key.split('\n').length} vs ${this.local.length} here)`;
    const i = sizes.findIndex((n, j) => n !== this.sizes[j]);
    return i >= 0 ? `${sizes[i]} values for '${key.split('\n')[i]}', ${this.sizes[i]} here` : '';
  }
}

/** One float32 buffer per layout key, over a SharedArrayBuffer allocated once and reused every step. */
export class SharedBuffers {
  private readonly byKey = new Map<string, Float32Array>();

  get(layout: GradLayout): Float32Array {
    let b = this.byKey.get(layout.key);
    if (!b || b.length !== layout.total) {
      b = new Float32Array(new SharedArrayBuffer(layout.total * 4));
      this.byKey.set(layout.key, b);
    }
    return b;
  }
}

/**
 * out[i] = sum_r w_r * parts[r][i] for i in [begin, end): the first two terms in double
 * precision, stored as float32, later terms added to it (the same rounding on every replica,
 * whichever slice it sums).
 */
export function sumSlice(out: Float32Array, begin: number, end: number, parts: [Float32Array, number][]): void {
  const [a, wa] = parts[0]!;
  if (parts.length === 1) {
    for (let i = begin; i < end; i++) out[i] = wa * a[i]!;
    return;
  }
  const [b, wb] = parts[1]!;
  for (let i = begin; i < end; i++) out[i] = wa * a[i]! + wb * b[i]!;
  for (let r = 2; r < parts.length; r++) {
    const [c, wc] = parts[r]!;
    for (let i = begin; i < end; i++) out[i]! += wc * c[i]!;
  }
}

/** Boundaries splitting [0, total) into `n` near-equal slices: slice r is [bounds[r], bounds[r + 1]). */
export function sliceBounds(total: number, n: number): number[] {
  return Array.from({ length: n + 1 }, (_, r) => Math.round((r * total) / n));
}

/**
 * Reduced gradients as tensors shaped like `grads` (for optimisers that take tensors). Copies:
 * the shared buffer is rewritten by the next reduction (and cpu tensors alias their array).
 */
export function gradientTensors(reduced: GradientArrays, grads: tf.NamedTensorMap): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  for (const [name, g] of reduced) out[name] = tf.tensor(g.slice(), grads[name]!.shape, 'float32');
  return out;
}
