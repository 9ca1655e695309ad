import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../data/batch.js';

/** A tensor as plain data (structured-clonable; its buffer can be transferred). */
export interface PackedTensor {
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

export interface PackedBatch {
  images?: PackedTensor;
  features?: PackedTensor;
  emotions: PackedTensor;
  confounders: PackedTensor;
  ids: string[];
  size: number;
}

/** Variables by stable name (`Strategy.namedVariables()` keys). */
export type PackedVars = [string, PackedTensor][];

/** Main thread -> replica. */
export type ToReplica =
  | { type: 'sync'; vars: PackedVars; state?: Record<string, unknown>; optimizers?: Record<string, PackedTensor[]> }
  | { type: 'step'; epoch: number; step: number; stepsPerEpoch: number; totalSteps: number; rng: number[]; weight: number; batch: PackedBatch }
  /** Sum slice [begin, end) of every replica's gradients (`parts`: buffer and weight, replica order) into `sum`. */
  | { type: 'reduceSlice'; key: string; parts: [SharedArrayBuffer, number][]; sum: SharedArrayBuffer; begin: number; end: number }
  /** The weighted sum of every replica's gradients, every slice done (a shared buffer, laid out as the replica's own). */
  | { type: 'reduced'; key: string; buffer: SharedArrayBuffer }
  | { type: 'reducedScalar'; value: number }
  | { type: 'collect' }
  | { type: 'close' };

/** Replica -> main thread. */
export type FromReplica =
  | { type: 'ready'; backend: string }
  | { type: 'synced' }
  /** The replica's gradients in its shared buffer, laid out by `GradLayout` (`key`, `sizes`). */
  | { type: 'grads'; key: string; sizes: number[]; buffer: SharedArrayBuffer; weight: number }
  | { type: 'sliceDone' }
  | { type: 'scalar'; value: number; weight: number }
  | { type: 'stepDone'; losses: Record<string, number> }
  | { type: 'collected'; vars: PackedVars }
  | { type: 'error'; message: string };

export async function packTensor(t: tf.Tensor): Promise<PackedTensor> {
  const dtype = t.dtype === 'int32' ? 'int32' : 'float32';
  const data = (await (dtype === t.dtype ? t : tf.cast(t, dtype)).data()) as Float32Array | Int32Array;
  return { shape: [...t.shape], dtype, data };
}

export function unpackTensor(p: PackedTensor): tf.Tensor {
  return tf.tensor(p.data, p.shape, p.dtype);
}

/** Rows [begin, begin+size) of a batch, packed for another thread. */
export async function packBatchSlice(batch: Batch, begin: number, size: number): Promise<PackedBatch> {
  const rows = <T extends tf.Tensor>(t: T) => tf.tidy(() => tf.slice(t, begin, size));
  const pack = async (t: tf.Tensor | undefined) => {
    if (!t) return undefined;
    const s = rows(t);
    try {
      return await packTensor(s);
    } finally {
      s.dispose();
    }
  };
  return {
    images: await pack(batch.images),
    features: await pack(batch.features),
    emotions: (await pack(batch.emotions))!,
    confounders: (await pack(batch.confounders))!,
    ids: batch.ids.slice(begin, begin + size),
    size,
  };
}

/** Rows [begin, begin+size) of a batch as new tensors (the caller disposes them). */
export function sliceBatch(batch: Batch, begin: number, size: number): Batch {
  return tf.tidy(() => ({
    images: batch.images ? (tf.slice(batch.images, begin, size) as tf.Tensor4D) : undefined,
    features: batch.features ? (tf.slice(batch.features, begin, size) as tf.Tensor4D) : undefined,
    emotions: tf.slice(batch.emotions, begin, size),
    confounders: tf.slice(batch.confounders, begin, size),
    ids: batch.ids.slice(begin, begin + size),
    size,
  })) as Batch;
}

export function unpackBatch(p: PackedBatch): Batch {
  return {
    images: p.images ? (unpackTensor(p.images) as tf.Tensor4D) : undefined,
    features: p.features ? (unpackTensor(p.features) as tf.Tensor4D) : undefined,
    emotions: unpackTensor(p.emotions) as tf.Tensor1D,
    confounders: unpackTensor(p.confounders) as tf.Tensor1D,
    ids: p.ids,
    size: p.size,
  };
}

export function batchTransferList(p: PackedBatch): ArrayBuffer[] {
  return [p.images, p.features, p.emotions, p.confounders].filter((t): t is PackedTensor => !!t).map((t) => t.data.buffer as ArrayBuffer);
}

/** Shard sizes for `replicas` replicas: as equal as possible, the first ones one larger. */
export function shardSizes(total: number, replicas: number): number[] {
  const base = Math.floor(total / replicas);
  return Array.from({ length: replicas }, (_, i) => base + (i < total % replicas ? 1 : 0));
}

export async function packVars(vars: Iterable<[string, tf.Variable]>, filter: (v: tf.Variable) => boolean = () => true): Promise<PackedVars> {
  const out: PackedVars = [];
  for (const [name, v] of vars) if (filter(v)) out.push([name, await packTensor(v)]);
  return out;
}
