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
  /** Completed epochs (a resumed run starts at this 0-based epoch). */
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
 * Serialises a checkpoint: 8-byte little-endian header length, a JSON header (meta + tensor
 * table), then raw little-endian tensor bytes.
 */
export async function encodeCheckpoint(tensors: Map<string, tf.Tensor>, meta: CheckpointMeta): Promise<Uint8Array> {
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
  return out;
}

/** Writes a checkpoint atomically (temp file + fsync + rename): a crash leaves the old file. */
export async function saveCheckpoint(file: string, tensors: Map<string, tf.Tensor>, meta: CheckpointMeta): Promise<void> {
  await writeFileAtomic(file, await encodeCheckpoint(tensors, meta));
}

export interface LoadedCheckpoint {
  meta: CheckpointMeta;
  /** Tensors by name; the caller disposes them. */
  tensors: Map<string, tf.Tensor>;
}

/** Parses checkpoint bytes; `file` names the source in errors. */
export function decodeCheckpoint(buf: Uint8Array, file: string): LoadedCheckpoint {
  const { header, base, b } = parseHeader(buf, file);
  const tensors = new Map<string, tf.Tensor>();
  for (const e of header.tensors) {
    const copy = new Uint8Array(b.subarray(base + e.offset, base + e.offset + e.length)).buffer;
    const data = e.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    tensors.set(e.name, tf.tensor(data, e.shape, e.dtype));
  }
  return { meta: header.meta, tensors };
}

function parseHeader(buf: Uint8Array, file: string): { header: { meta: CheckpointMeta; tensors: TensorEntry[] }; base: number; b: Buffer } {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.byteLength < 8) throw new IernError(`${file}: not an iern checkpoint (file too short)`);
  const headerLen = Number(b.readBigUInt64LE(0));
  if (headerLen <= 0 || 8 + headerLen > b.byteLength) throw new IernError(`${file}: not an iern checkpoint (bad header length)`);
  let header: { meta: CheckpointMeta; tensors: TensorEntry[] };
  try {
    header = JSON.parse(b.subarray(8, 8 + headerLen).toString('utf8'));
  } catch {
    throw new IernError(`${file}: not an iern checkpoint (header is not JSON)`);
  }
  if (header.meta?.format !== 'iern-checkpoint') throw new IernError(`${file}: not an iern checkpoint (format '${header.meta?.format}')`);
  if (header.meta.version !== 1) throw new IernError(`${file}: checkpoint version ${header.meta.version} is not supported (this iern reads version 1)`);
  const base = 8 + headerLen;
  for (const e of header.tensors) {
    if (base + e.offset + e.length > b.byteLength) throw new IernError(`${file}: truncated at tensor '${e.name}' (incomplete write?)`);
  }
  return { header, base, b };
}

async function readBytes(file: string): Promise<Buffer> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new IernError(`checkpoint not found or unreadable: ${file} (${code === 'ENOENT' ? 'no such file' : (code ?? (e as Error).message)})`);
  }
  return buf;
}

export async function loadCheckpoint(file: string): Promise<LoadedCheckpoint> {
  const bytes = await readBytes(file);
  // Loaded before backend selection (e.g. `iern eval`): hold the tensors on cpu; tfjs moves them on first use.
  if (!tf.engine().backendName) await tf.setBackend('cpu');
  return decodeCheckpoint(bytes, file);
}

/** The metadata only (checks the file is complete; creates no tensors, needs no backend). */
export async function readCheckpointMeta(file: string): Promise<CheckpointMeta> {
  return parseHeader(await readBytes(file), file).header.meta;
}

/** Optimiser internals tfjs does not return from getWeights (Adam's beta powers), saved for exact resume. */
const EXTRA_OPTIMIZER_VARS = ['accBeta1', 'accBeta2'] as const;

/**
 * Every weight of a strategy plus its optimisers' state, by name (`opt/<optimiser>/<i>/...`
 * for getWeights entries, `optvar/<optimiser>/<field>` for internals). Some entries are
 * copies: release them with `disposeStrategyTensors`.
 */
export async function strategyTensors(strategy: Strategy): Promise<Map<string, tf.Tensor>> {
  const out = new Map<string, tf.Tensor>(strategy.namedVariables());
  for (const [name, opt] of Object.entries(strategy.optimizers())) {
    const weights = await opt.getWeights();
    weights.forEach((w, i) => out.set(`opt/${name}/${i}/${w.name}`, w.tensor));
    for (const field of EXTRA_OPTIMIZER_VARS) {
      const v = (opt as unknown as Record<string, unknown>)[field];
      if (v instanceof tf.Tensor) out.set(`optvar/${name}/${field}`, v);
    }
  }
  return out;
}

/** Disposes the copies `strategyTensors` made (never the live variables). */
export function disposeStrategyTensors(tensors: Map<string, tf.Tensor>, strategy: Strategy): void {
  const live = new Set<tf.Tensor>(strategy.namedVariables().values());
  for (const opt of Object.values(strategy.optimizers())) {
    for (const field of EXTRA_OPTIMIZER_VARS) {
      const v = (opt as unknown as Record<string, unknown>)[field];
      if (v instanceof tf.Tensor) live.add(v);
    }
  }
  for (const t of tensors.values()) if (!live.has(t) && !(t instanceof tf.Variable) && !t.isDisposed) t.dispose();
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
  const known = new Set(vars.keys());
  const unexpected = [...ckpt.tensors.keys()].filter((k) => !k.startsWith('opt/') && !k.startsWith('optvar/') && !known.has(k));
  if (unexpected.length) problems.push(`unexpected ${unexpected.slice(0, 3).map((k) => `'${k}'`).join(', ')}${unexpected.length > 3 ? ` (+${unexpected.length - 3})` : ''}`);
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
    const copies = items.map(([k, tensor]) => ({ name: k.slice(prefix.length).split('/').slice(1).join('/'), tensor: tf.clone(tensor) }));
    const previous = await opt.getWeights();
    await opt.setWeights(copies);
    // setWeights wraps the copies in new variables (sharing their data) and leaves the old state behind.
    tf.dispose(copies.map((c) => c.tensor));
    tf.dispose(previous.map((w) => w.tensor));
    for (const field of EXTRA_OPTIMIZER_VARS) {
      const v = (opt as unknown as Record<string, unknown>)[field];
      const saved = ckpt.tensors.get(`optvar/${name}/${field}`);
      if (v instanceof tf.Variable && saved) v.assign(saved);
    }
  }
}

/** Why a checkpoint cannot continue/evaluate under `config`: other classes or architecture. Empty = compatible. */
export function checkpointIncompatibilities(meta: CheckpointMeta, config: Record<string, unknown>, classes: string[]): string[] {
  const out: string[] = [];
  if (meta.classes.join('\u0000') !== classes.join('\u0000')) {
    out.push(`other classes: the checkpoint has [${meta.classes.join(', ')}], the config [${classes.join(', ')}]`);
  }
  const pick = (c: Record<string, unknown>, ...keys: string[]) => keys.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], c);
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const [label, keys] of [
    ['backbone', ['model', 'backbone', 'type']],
    ['strategy type', ['model', 'strategy', 'type']],
    ['data.imageSize', ['data', 'imageSize']],
    ['data.channels', ['data', 'channels']],
  ] as const) {
    const a = pick(meta.config, ...keys);
    const b = pick(config, ...keys);
    if (!same(a, b)) out.push(`other ${label}: the checkpoint has ${JSON.stringify(a)}, the config ${JSON.stringify(b)}`);
  }
  return out;
}
