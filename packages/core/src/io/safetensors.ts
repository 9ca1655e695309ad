import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { DataError, IernError } from '../errors.js';

/**
 * safetensors (the format of `safetensors.torch.save_file`): 8-byte little-endian header
 * length, a JSON header `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__ }`,
 * then the raw little-endian tensor bytes. Offsets are relative to the end of the header.
 */
export type SafetensorsDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const DTYPE_BYTES: Record<SafetensorsDType, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** Header entry of one tensor. */
export interface SafetensorInfo {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  /** Byte range in the data section. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  tensors: SafetensorInfo[];
  metadata: Record<string, string>;
  /** Byte offset of the data section in the file (8 + header length). */
  dataStart: number;
}

/** One tensor read from a file: its raw bytes plus dtype and shape. */
export interface SafeTensor extends SafetensorInfo {
  bytes: Uint8Array;
}

/** Tensors to write: float32 data in row-major order with its shape. */
export interface TensorData {
  shape: number[];
  data: Float32Array;
}

// Refuse absurd headers before allocating (the reference implementation caps at 100 MB).
const MAX_HEADER = 100_000_000;

/** Parses and validates the header; `source` names the file in errors. */
export function parseSafetensorsHeader(head: Uint8Array, fileSize: number, source: string): SafetensorsHeader {
  if (head.byteLength < 8) throw new DataError(source, `not a safetensors file: ${fileSize} bytes, shorter than the 8-byte header length`);
  const n = Number(new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true));
  if (n > MAX_HEADER || 8 + n > fileSize) {
    throw new DataError(source, `not a safetensors file: header length ${n} does not fit in a file of ${fileSize} bytes`);
  }
  if (head.byteLength < 8 + n) throw new IernError(`${source}: header truncated while reading`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(head.subarray(8, 8 + n)));
  } catch (e) {
    throw new DataError(source, `safetensors header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new DataError(source, 'safetensors header is not a JSON object');
  const dataStart = 8 + n;
  const dataSize = fileSize - dataStart;
  const tensors: SafetensorInfo[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = (raw ?? {}) as Record<string, string>;
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const where = `tensor '${name}'`;
    if (typeof e?.dtype !== 'string' || !(e.dtype in DTYPE_BYTES)) {
      throw new DataError(source, `${where}: unsupported dtype ${JSON.stringify(e?.dtype)} (supported: ${Object.keys(DTYPE_BYTES).join(', ')})`);
    }
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new DataError(source, `${where}: bad shape ${JSON.stringify(e.shape)}`);
    }
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new DataError(source, `${where}: bad data_offsets ${JSON.stringify(off)}`);
    }
    const dtype = e.dtype as SafetensorsDType;
    const shape = e.shape as number[];
    const [begin, end] = off as [number, number];
    const expected = shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype];
    if (end - begin !== expected) {
      throw new DataError(source, `${where}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but ${dtype} [${shape.join(', ')}] needs ${expected}`);
    }
    if (end > dataSize) throw new DataError(source, `${where}: data ends at byte ${end} past the data section (${dataSize} bytes); file truncated?`);
    tensors.push({ name, dtype, shape, begin, end });
  }
  return { tensors, metadata, dataStart };
}

/** Reads only the header of a file (cheap for large checkpoints). */
export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader> {
  const handle = await openOrThrow(file);
  try {
    const { size } = await handle.stat();
    const lenBuf = new Uint8Array(8);
    await handle.read(lenBuf, 0, 8, 0);
    const n = size >= 8 ? Number(new DataView(lenBuf.buffer).getBigUint64(0, true)) : 0;
    const head = new Uint8Array(Math.min(size, 8 + Math.min(n, MAX_HEADER + 1)));
    await handle.read(head, 0, head.byteLength, 0);
    return parseSafetensorsHeader(head, size, file);
  } finally {
    await handle.close();
  }
}

/** Parses a whole file held in memory. */
export function parseSafetensors(buf: Uint8Array, source: string): { tensors: Map<string, SafeTensor>; metadata: Record<string, string> } {
  const header = parseSafetensorsHeader(buf, buf.byteLength, source);
  const tensors = new Map<string, SafeTensor>();
  for (const t of header.tensors) {
    tensors.set(t.name, { ...t, bytes: buf.subarray(header.dataStart + t.begin, header.dataStart + t.end) });
  }
  return { tensors, metadata: header.metadata };
}

/** Reads a whole file. */
export async function readSafetensors(file: string): Promise<{ tensors: Map<string, SafeTensor>; metadata: Record<string, string>; bytes: Uint8Array }> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    throw new IernError(`${file}: cannot read weights file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return { ...parseSafetensors(bytes, file), bytes };
}

/** Decodes any float or integer dtype to float32 (I64 beyond 2^53 loses precision). */
export function toFloat32(t: SafeTensor): Float32Array {
  const b = t.bytes;
  const n = t.shape.reduce((a, c) => a * c, 1);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Float32Array(n);
  switch (t.dtype) {
    case 'F32':
      if (b.byteOffset % 4 === 0) out.set(new Float32Array(b.buffer, b.byteOffset, n));
      else for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, true);
      break;
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = dv.getFloat64(i * 8, true);
      break;
    case 'F16':
      for (let i = 0; i < n; i++) out[i] = halfToFloat(dv.getUint16(i * 2, true));
      break;
    case 'BF16': {
      const u = new Uint32Array(1);
      const f = new Float32Array(u.buffer);
      for (let i = 0; i < n; i++) {
        u[0] = dv.getUint16(i * 2, true) << 16;
        out[i] = f[0]!;
      }
      break;
    }
    case 'I64':
      for (let i = 0; i < n; i++) out[i] = Number(dv.getBigInt64(i * 8, true));
      break;
    case 'I32':
      for (let i = 0; i < n; i++) out[i] = dv.getInt32(i * 4, true);
      break;
    case 'I16':
      for (let i = 0; i < n; i++) out[i] = dv.getInt16(i * 2, true);
      break;
    case 'I8':
      for (let i = 0; i < n; i++) out[i] = dv.getInt8(i);
      break;
    case 'U8':
    case 'BOOL':
      for (let i = 0; i < n; i++) out[i] = dv.getUint8(i);
      break;
  }
  return out;
}

/** IEEE 754 binary16 -> number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** Header bytes (padded to 8 with spaces, as the reference writer does) and tensors in data order. */
function layout(tensors: Map<string, TensorData> | Record<string, TensorData>, metadata: Record<string, string>): { head: Uint8Array; entries: [string, TensorData][]; dataBytes: number } {
  const entries = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header['__metadata__'] = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new IernError(`tensor '${name}': shape [${t.shape.join(', ')}] has ${n} elements but data has ${t.data.length}`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + n * 4] };
    offset += n * 4;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  const head = new Uint8Array(8 + padded).fill(0x20);
  new DataView(head.buffer).setBigUint64(0, BigInt(padded), true);
  head.set(json, 8);
  return { head, entries, dataBytes: offset };
}

const bytesOf = (d: Float32Array) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/** Serialises float32 tensors into one buffer (names sorted). */
export function serializeSafetensors(tensors: Map<string, TensorData> | Record<string, TensorData>, metadata: Record<string, string> = {}): Uint8Array {
  const { head, entries, dataBytes } = layout(tensors, metadata);
  const out = new Uint8Array(head.byteLength + dataBytes);
  out.set(head);
  let at = head.byteLength;
  for (const [, t] of entries) {
    out.set(bytesOf(t.data), at);
    at += t.data.byteLength;
  }
  return out;
}

/**
 * Writes float32 tensors atomically (temp file, fsync, rename, like `writeFileAtomic`),
 * streaming each tensor so a large feature cache is not copied into one more buffer.
 */
export async function writeSafetensors(file: string, tensors: Map<string, TensorData> | Record<string, TensorData>, metadata: Record<string, string> = {}): Promise<void> {
  const { head, entries } = layout(tensors, metadata);
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const handle = await fs.open(tmp, 'w');
  try {
    await writeAll(handle, head);
    for (const [, t] of entries) await writeAll(handle, bytesOf(t.data));
    await handle.sync();
    await handle.close();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await fs.rename(tmp, file);
}

/** `write` may write less than asked; loop until every byte is out. */
async function writeAll(handle: fs.FileHandle, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.byteLength; ) {
    const { bytesWritten } = await handle.write(bytes, off, Math.min(bytes.byteLength - off, 1 << 30));
    off += bytesWritten;
  }
}

/** Layout marker iern writes, so loaders know kernels are already HWIO / [in, out]. */
export const IERN_LAYOUT = 'iern-nhwc';

/** Saves variables by name (iern layout: conv HWIO, linear [in, out]). */
export async function saveWeights(named: Map<string, tf.Variable>, file: string, metadata: Record<string, string> = {}): Promise<void> {
  const tensors = new Map<string, TensorData>();
  for (const [name, v] of named) tensors.set(name, { shape: v.shape.slice(), data: Float32Array.from(v.dataSync() as ArrayLike<number>) });
  await writeSafetensors(file, tensors, { format: 'iern', layout: IERN_LAYOUT, ...metadata });
}

export interface LoadWeightsOptions {
  /** File tensors to skip on purpose (`fc.*`, `num_batches_tracked`). */
  ignore?: (name: string) => boolean;
  /** Converts a file tensor to the variable's layout (e.g. OIHW -> HWIO); returns data and shape. */
  convert?: (name: string, data: Float32Array, shape: number[], target: tf.Variable) => TensorData;
  /** Variables allowed to be absent from the file. */
  optional?: (name: string) => boolean;
}

/** Result of a load: every problem found, so one error can list them all. */
export interface WeightsReport {
  loaded: string[];
  ignored: string[];
  missing: string[];
  unexpected: string[];
  mismatched: string[];
}

/**
 * Assigns file tensors to variables by name. Nothing is assigned unless every variable
 * finds a tensor of the right shape and every file tensor is used or ignored on purpose;
 * otherwise one error lists every missing, unexpected and mis-shaped tensor by name.
 */
export function assignWeights(named: Map<string, tf.Variable>, tensors: Map<string, SafeTensor>, source: string, opts: LoadWeightsOptions = {}): WeightsReport {
  const report: WeightsReport = { loaded: [], ignored: [], missing: [], unexpected: [], mismatched: [] };
  const ready: [tf.Variable, TensorData][] = [];
  for (const [name, t] of tensors) {
    if (opts.ignore?.(name)) {
      report.ignored.push(name);
      continue;
    }
    const v = named.get(name);
    if (!v) {
      report.unexpected.push(`${name} [${t.shape.join(', ')}]`);
      continue;
    }
    const raw = toFloat32(t);
    const conv = opts.convert ? opts.convert(name, raw, t.shape, v) : { data: raw, shape: t.shape };
    if (conv.shape.length !== v.shape.length || conv.shape.some((d, i) => d !== v.shape[i])) {
      const via = opts.convert ? ` (after layout conversion [${conv.shape.join(', ')}])` : '';
      report.mismatched.push(`${name}: file [${t.shape.join(', ')}]${via}, model [${v.shape.join(', ')}]`);
      continue;
    }
    ready.push([v, conv]);
    report.loaded.push(name);
  }
  for (const name of named.keys()) if (!tensors.has(name) && !opts.optional?.(name)) report.missing.push(name);
  const problems: string[] = [];
  if (report.missing.length) problems.push(`missing ${report.missing.length}: ${report.missing.join(', ')}`);
  if (report.unexpected.length) problems.push(`unexpected ${report.unexpected.length}: ${report.unexpected.join(', ')}`);
  if (report.mismatched.length) problems.push(`wrong shape ${report.mismatched.length}: ${report.mismatched.join('; ')}`);
  if (problems.length) throw new DataError(source, `weights do not match the model; ${problems.join('; ')}`);
  for (const [v, t] of ready) {
    const value = tf.tensor(t.data, t.shape, 'float32');
    v.assign(value);
    value.dispose();
  }
  return report;
}

/** Loads weights saved by `saveWeights` (or any same-layout file) into variables by name. */
export async function loadWeights(named: Map<string, tf.Variable>, file: string, opts: LoadWeightsOptions = {}): Promise<WeightsReport> {
  const { tensors } = await readSafetensors(file);
  return assignWeights(named, tensors, file, opts);
}

async function openOrThrow(file: string) {
  try {
    return await fs.open(file, 'r');
  } catch (e) {
    throw new IernError(`${file}: cannot open (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
