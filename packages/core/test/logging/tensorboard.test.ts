import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import * as path from 'node:path';
import { TensorBoardWriter, crc32c, MetricsWriter } from '@iern/core';

// ---- an independent reader, written from the TFRecord and protobuf specs (bitwise CRC, generic wire parser) ----

function crc32cBitwise(bytes: Uint8Array): number {
  let crc = ~0 >>> 0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0x82f63b78 & -(crc & 1));
  }
  return ~crc >>> 0;
}
const mask = (crc: number) => ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;

type Field = { field: number; wire: number; value: bigint | Uint8Array };

function parseProto(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = () => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[i++]!;
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (!(b & 0x80)) return result;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 1) (out.push({ field, wire, value: buf.slice(i, i + 8) }), (i += 8));
    else if (wire === 5) (out.push({ field, wire, value: buf.slice(i, i + 4) }), (i += 4));
    else if (wire === 2) {
      const n = Number(varint());
      out.push({ field, wire, value: buf.slice(i, i + n) });
      i += n;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  if (i !== buf.length) throw new Error('protobuf overrun');
  return out;
}

interface DecodedEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  scalars: Record<string, number>;
}

function readEvents(file: string): DecodedEvent[] {
  const buf = new Uint8Array(readFileSync(file));
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const events: DecodedEvent[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const len = Number(view.getBigUint64(pos, true));
    expect(view.getUint32(pos + 8, true), 'length crc').toBe(mask(crc32cBitwise(buf.subarray(pos, pos + 8))));
    const data = buf.subarray(pos + 12, pos + 12 + len);
    expect(view.getUint32(pos + 12 + len, true), 'data crc').toBe(mask(crc32cBitwise(data)));
    pos += 16 + len;
    const ev: DecodedEvent = { wallTime: NaN, step: 0, scalars: {} };
    for (const f of parseProto(data)) {
      if (f.field === 1 && f.wire === 1) ev.wallTime = new DataView((f.value as Uint8Array).buffer).getFloat64(0, true);
      else if (f.field === 2 && f.wire === 0) ev.step = Number(f.value);
      else if (f.field === 3 && f.wire === 2) ev.fileVersion = new TextDecoder().decode(f.value as Uint8Array);
      else if (f.field === 5 && f.wire === 2) {
        for (const v of parseProto(f.value as Uint8Array)) {
          expect(v.field).toBe(1);
          let tag = '';
          let value = NaN;
          for (const g of parseProto(v.value as Uint8Array)) {
            if (g.field === 1) tag = new TextDecoder().decode(g.value as Uint8Array);
            if (g.field === 2 && g.wire === 5) value = new DataView((g.value as Uint8Array).buffer).getFloat32(0, true);
          }
          ev.scalars[tag] = value;
        }
      } else throw new Error(`unexpected Event field ${f.field}`);
    }
    events.push(ev);
  }
  expect(pos).toBe(buf.length);
  return events;
}

describe('TensorBoard event files', () => {
  it('crc32c matches the standard check value', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    const random = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7919) & 0xff);
    expect(crc32c(random)).toBe(crc32cBitwise(random));
  });

  it('writes brain.Event:2 first, then scalar summaries an independent decoder reads back', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'iern-tb-'));
    const w = new TensorBoardWriter(dir, 1_700_000_000_500);
    expect(path.basename(w.file)).toBe(`events.out.tfevents.1700000000.${hostname()}`);
    w.scalars(3, { 'train/loss': 0.6931, 'train/lr/head': 2e-4 }, 1_700_000_001.25);
    w.scalar('val/accuracy', 0.875, 300, 1_700_000_002);
    const events = readEvents(w.file);
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({ fileVersion: 'brain.Event:2', step: 0, wallTime: 1_700_000_000.5 });
    expect(events[1]!.step).toBe(3);
    expect(events[1]!.wallTime).toBe(1_700_000_001.25);
    expect(events[1]!.scalars['train/loss']).toBeCloseTo(0.6931, 6);
    expect(events[1]!.scalars['train/lr/head']).toBeCloseTo(2e-4, 9);
    expect(events[2]).toMatchObject({ step: 300, scalars: { 'val/accuracy': 0.875 } });
  });

  it('MetricsWriter mirrors every numeric field as <kind>/<name>', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'iern-tbm-'));
    const m = new MetricsWriter(dir);
    m.write({ kind: 'train', epoch: 1, step: 10, loss: 1.5, 'lr/head': 0.01 });
    m.write({ kind: 'val', epoch: 1, step: 10, accuracy: 0.5 });
    const file = readdirSync(dir).find((f) => f.startsWith('events.out.tfevents.'))!;
    const events = readEvents(path.join(dir, file));
    expect(events.map((e) => e.scalars)).toEqual([{}, { 'train/loss': 1.5, 'train/lr/head': expect.closeTo(0.01, 8) }, { 'val/accuracy': 0.5 }]);
    expect(events.slice(1).map((e) => e.step)).toEqual([10, 10]);
  });
});
