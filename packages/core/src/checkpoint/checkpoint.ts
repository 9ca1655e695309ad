import * as tf from '@tensorflow/tfjs-core';
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../util/atomic.js';
import { IernError } from '../errors.js';
import type { Strategy } from '../model/strategy.js';

/** JSON metadata stored beside the tensors of a checkpoint. */
export interface CheckpointMeta {
  format: 'iern-checkpoint';
  version: 1;
  /** Resolved experiment config (for `predict`/`eval`: preprocessing, classes, architecture). */
  config: Record<string, unknown>;
  classes: string[];
  confounders: string[];
  epoch: number;
  /** Anything else: RNG state, strategy state, metrics, schedule position. */
  extra: Record<string, unknown>;
}

interface TensorEntry {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  offset: number;
  length: number;
}

/**
 * Single-file checkpoint: 8-byte little-endian header length, a JSON header (meta + tensor
 * table), then raw little-endian tensor bytes. Written atomically (temp file + rename).
 */
export async function saveCheckpoint(file: string, tensors: Map<string, tf.Tensor>, meta: CheckpointMeta): Promise<void> {
  const entries: TensorEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    const data = await t.data();
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    entries.push({ name, dtype: t.dtype === 'int32' ? 'int32' : 'float32', shape: t.shape, offset, length: bytes.byteLength });
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  const header = new TextEncoder().encode(JSON.stringify({ meta, tensors: entries }));
  const out = new Uint8Array(8 + header.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.byteLength), true);
  out.set(header, 8);
  let pos = 8 + header.byteLength;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.byteLength;
  }
  await writeFileAtomic(file, out);
}

export interface LoadedCheckpoint {
  meta: CheckpointMeta;
  /** Tensors by name; the caller disposes them. */
  tensors: Map<string, tf.Tensor>;
}

export async function loadCheckpoint(file: string): Promise<LoadedCheckpoint> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch (e) {
    throw new IernError(`checkpoint not found or unreadable: ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (buf.byteLength < 8) throw new IernError(`${file}: not an iern checkpoint (file too short)`);
  const headerLen = Number(buf.readBigUInt64LE(0));
  if (headerLen <= 0 || 8 + headerLen > buf.byteLength) throw new IernError(`${file}: not an iern checkpoint (bad header length)`);
  let header: { meta: CheckpointMeta; tensors: TensorEntry[] };
  try {
    header = JSON.parse(buf.subarray(8, 8 + headerLen).toString('utf8'));
  } catch {
    throw new IernError(`${file}: not an iern checkpoint (header is not JSON)`);
  }
  if (header.meta?.format !== 'iern-checkpoint') throw new IernError(`${file}: not an iern checkpoint (format '${header.meta?.format}')`);
  const base = 8 + headerLen;
  const tensors = new Map<string, tf.Tensor>();
  for (const e of header.tensors) {
    if (base + e.offset + e.length > buf.byteLength) throw new IernError(`${file}: truncated at tensor '${e.name}'`);
    const bytes = buf.subarray(base + e.offset, base + e.offset + e.length);
    const copy = new Uint8Array(bytes).buffer;
    const data = e.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    tensors.set(e.name, tf.tensor(data, e.shape, e.dtype));
  }
  return { meta: header.meta, tensors };
}

/** Every weight of a strategy plus its optimisers' state, by name (`opt/<optimiser>/<i>` for the latter). */
export async function strategyTensors(strategy: Strategy): Promise<Map<string, tf.Tensor>> {
  const out = new Map<string, tf.Tensor>(strategy.namedVariables());
  for (const [name, opt] of Object.entries(strategy.optimizers())) {
    const weights = await opt.getWeights();
    weights.forEach((w, i) => out.set(`opt/${name}/${i}/${w.name}`, w.tensor));
  }
  return out;
}

/**
 * Restores a strategy's weights (and optimiser state when present). Every variable must be
 * in the checkpoint with the same shape; the error lists what is missing or mis-shaped.
 */
export async function restoreStrategy(strategy: Strategy, ckpt: LoadedCheckpoint, file: string, withOptimizers = true): Promise<void> {
  const problems: string[] = [];
  const vars = strategy.namedVariables();
  for (const [name, v] of vars) {
    const t = ckpt.tensors.get(name);
    if (!t) problems.push(`missing '${name}'`);
    else if (t.shape.join('x') !== v.shape.join('x')) problems.push(`'${name}' has shape [${t.shape}] but the model needs [${v.shape}]`);
  }
  if (problems.length) {
    throw new IernError(
      `${file}: checkpoint does not match this model (other architecture or classes?): ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`,
    );
  }
  for (const [name, v] of vars) v.assign(ckpt.tensors.get(name)!);
  if (!withOptimizers) return;
  for (const [name, opt] of Object.entries(strategy.optimizers())) {
    const prefix = `opt/${name}/`;
    const items = [...ckpt.tensors.entries()].filter(([k]) => k.startsWith(prefix));
    if (!items.length) continue;
    items.sort((a, b) => Number(a[0].slice(prefix.length).split('/')[0]) - Number(b[0].slice(prefix.length).split('/')[0]));
    await opt.setWeights(items.map(([k, tensor]) => ({ name: k.slice(prefix.length).split('/').slice(1).join('/'), tensor: tf.clone(tensor) })));
  }
}
