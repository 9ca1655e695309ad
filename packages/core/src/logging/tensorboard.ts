import { appendFileSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';

/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as TFRecord framing uses. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function crc32c(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC: rotate right by 15, add a constant. */
export function maskedCrc32c(data: Uint8Array): number {
  const c = crc32c(data);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** One TFRecord: uint64 length, masked CRC of the length bytes, data, masked CRC of the data. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/** Minimal protobuf writer: just what `Event` and `Summary` need. */
class Proto {
  private readonly parts: number[] = [];
  private varint(v: number | bigint): void {
    let x = BigInt(v);
    if (x < 0n) x &= (1n << 64n) - 1n; // two's complement, as protobuf encodes negative int64
    do {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      this.parts.push(x ? b | 0x80 : b);
    } while (x);
  }
  private key(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }
  double(field: number, v: number): this {
    this.key(field, 1);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.parts.push(...b);
    return this;
  }
  float(field: number, v: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.parts.push(...b);
    return this;
  }
  int64(field: number, v: number): this {
    this.key(field, 0);
    this.varint(Math.trunc(v));
    return this;
  }
  bytes(field: number, v: Uint8Array): this {
    this.key(field, 2);
    this.varint(v.length);
    for (const b of v) this.parts.push(b);
    return this;
  }
  string(field: number, v: string): this {
    return this.bytes(field, new TextEncoder().encode(v));
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** `Event{wall_time=1, step=2, file_version=3}`. */
export function fileVersionEvent(wallTime: number): Uint8Array {
  return new Proto().double(1, wallTime).int64(2, 0).string(3, 'brain.Event:2').finish();
}

/** `Event{wall_time=1, step=2, summary=5: Summary{value=1: [Value{tag=1, simple_value=2}]}}`. */
export function scalarsEvent(wallTime: number, step: number, scalars: Record<string, number>): Uint8Array {
  const summary = new Proto();
  for (const [tag, value] of Object.entries(scalars)) summary.bytes(1, new Proto().string(1, tag).float(2, value).finish());
  return new Proto().double(1, wallTime).int64(2, step).bytes(5, summary.finish()).finish();
}

/**
 * Writes TensorBoard scalar summaries: `events.out.tfevents.<unix time>.<host>` in `dir`,
 * starting with the `brain.Event:2` version record. Each record is appended synchronously,
 * so a crash loses at most the record being written (TensorBoard skips a torn tail).
 */
export class TensorBoardWriter {
  readonly file: string;

  constructor(dir: string, now = Date.now()) {
    mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, `events.out.tfevents.${Math.floor(now / 1000)}.${hostname()}`);
    appendFileSync(this.file, tfRecord(fileVersionEvent(now / 1000)));
  }

  /** Logs scalars at `step`; non-finite values are written too (TensorBoard shows NaN). */
  scalars(step: number, values: Record<string, number>, wallTime = Date.now() / 1000): void {
    if (Object.keys(values).length === 0) return;
    appendFileSync(this.file, tfRecord(scalarsEvent(wallTime, step, values)));
  }

  scalar(tag: string, value: number, step: number, wallTime?: number): void {
    this.scalars(step, { [tag]: value }, wallTime);
  }
}
