import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { halfToFloat, loadWeights, writeSafetensors, parseSafetensors, readSafetensors, readSafetensorsHeader, saveWeights, serializeSafetensors, toFloat32 } from '@iern/core';
import { useCpu } from './helpers.js';

let dir: string;
beforeAll(async () => {
  await useCpu();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'iern-st-'));
});
afterAll(async () => fs.rm(dir, { recursive: true, force: true }));

/** Builds a file by hand, as the Python writer lays it out, to test the reader independently. */
function handMade(entries: { name: string; dtype: string; shape: number[]; bytes: Uint8Array }[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let off = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [off, off + e.bytes.length] };
    off += e.bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, ...entries.map((e) => Buffer.from(e.bytes))]);
}

describe('safetensors', () => {
  it('round-trips float32 tensors and metadata, header padded to 8 bytes', async () => {
    const a = new Float32Array([1, -2.5, 3e-8, 4]);
    const b = new Float32Array([7]);
    const bytes = serializeSafetensors({ 'b.w': { shape: [1], data: b }, 'a.w': { shape: [2, 2], data: a } }, { note: 'x' });
    const headerLen = Number(Buffer.from(bytes).readBigUInt64LE(0));
    expect(headerLen % 8).toBe(0);
    const file = path.join(dir, 'rt.safetensors');
    await fs.writeFile(file, bytes);
    const { tensors, metadata } = await readSafetensors(file);
    expect(metadata).toEqual({ note: 'x' });
    expect([...tensors.keys()]).toEqual(['a.w', 'b.w']);
    expect(tensors.get('a.w')!.shape).toEqual([2, 2]);
    expect(Array.from(toFloat32(tensors.get('a.w')!))).toEqual(Array.from(a));
    expect(Array.from(toFloat32(tensors.get('b.w')!))).toEqual([7]);
  });

  it('decodes F16, BF16, F64 and I64 written by another writer', () => {
    const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3555, 0x0001]).buffer); // 1, -2, ~0.3333, smallest subnormal
    const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0xc0a0]).buffer); // 1, -5
    const f64 = new Uint8Array(new Float64Array([0.1, -3]).buffer);
    const i64 = new Uint8Array(new BigInt64Array([42n, -7n]).buffer);
    const { tensors } = parseSafetensors(handMade([
      { name: 'h', dtype: 'F16', shape: [4], bytes: f16 },
      { name: 'bf', dtype: 'BF16', shape: [2], bytes: bf16 },
      { name: 'd', dtype: 'F64', shape: [2], bytes: f64 },
      { name: 'n', dtype: 'I64', shape: [2], bytes: i64 },
    ]), 'hand');
    const h = Array.from(toFloat32(tensors.get('h')!));
    expect(h[0]).toBe(1);
    expect(h[1]).toBe(-2);
    expect(h[2]).toBeCloseTo(1 / 3, 3);
    expect(h[3]).toBeCloseTo(2 ** -24, 30);
    expect(Array.from(toFloat32(tensors.get('bf')!))).toEqual([1, -5]);
    expect(toFloat32(tensors.get('d')!)[0]).toBeCloseTo(0.1, 7);
    expect(Array.from(toFloat32(tensors.get('n')!))).toEqual([42, -7]);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
  });

  it('rejects broken files with the file name and the problem', async () => {
    expect(() => parseSafetensors(new Uint8Array(4), 'tiny.safetensors')).toThrow(/tiny\.safetensors.*shorter than the 8-byte/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 1000n, true);
    expect(() => parseSafetensors(huge, 'h.st')).toThrow(/h\.st.*header length 1000/);
    const bad = handMade([{ name: 'w', dtype: 'F32', shape: [3], bytes: new Uint8Array(8) }]);
    expect(() => parseSafetensors(bad, 'bad.st')).toThrow(/bad\.st.*tensor 'w'.*needs 12/);
    const odd = handMade([{ name: 'q', dtype: 'Q4', shape: [1], bytes: new Uint8Array(1) }]);
    expect(() => parseSafetensors(odd, 'odd.st')).toThrow(/tensor 'q': unsupported dtype "Q4"/);
    const truncated = handMade([{ name: 'w', dtype: 'F32', shape: [4], bytes: new Uint8Array(16) }]).subarray(0, -4);
    expect(() => parseSafetensors(truncated, 't.st')).toThrow(/tensor 'w'.*truncated/);
    await expect(readSafetensors(path.join(dir, 'nope.safetensors'))).rejects.toThrow(/nope\.safetensors: cannot read.*ENOENT/);
  });

  it('the streaming atomic writer produces the same bytes as the in-memory serialiser', async () => {
    const t = { z: { shape: [3], data: new Float32Array([1, 2, 3]) }, a: { shape: [1, 1], data: new Float32Array([9]) } };
    const file = path.join(dir, 'stream.safetensors');
    await writeSafetensors(file, t, { k: 'v' });
    expect(new Uint8Array(await fs.readFile(file))).toEqual(serializeSafetensors(t, { k: 'v' }));
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('reads only the header when asked', async () => {
    const file = path.join(dir, 'hdr.safetensors');
    await fs.writeFile(file, serializeSafetensors({ big: { shape: [10, 20], data: new Float32Array(200) } }));
    const h = await readSafetensorsHeader(file);
    expect(h.tensors).toEqual([{ name: 'big', dtype: 'F32', shape: [10, 20], begin: 0, end: 800 }]);
  });

  it('saveWeights / loadWeights restore variables by name; mismatches are all named', async () => {
    const a = tf.variable(tf.tensor([[1, 2, 3]]), true, 'st-a');
    const b = tf.variable(tf.tensor([5]), true, 'st-b');
    const file = path.join(dir, 'w.safetensors');
    await saveWeights(new Map([['x.a', a], ['x.b', b]]), file);
    const a2 = tf.variable(tf.zeros([1, 3]), true, 'st-a2');
    const b2 = tf.variable(tf.zeros([1]), true, 'st-b2');
    const rep = await loadWeights(new Map([['x.a', a2], ['x.b', b2]]), file);
    expect(rep.loaded.sort()).toEqual(['x.a', 'x.b']);
    expect(Array.from(a2.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(b2.dataSync())).toEqual([5]);
    const c = tf.variable(tf.zeros([2]), true, 'st-c');
    const err = await loadWeights(new Map([['x.b', c], ['x.z', b2]]), file).catch((e: Error) => e);
    expect(String(err)).toMatch(/w\.safetensors/);
    expect(String(err)).toMatch(/missing 1: x\.z/);
    expect(String(err)).toMatch(/unexpected 1: x\.a \[1, 3\]/);
    expect(String(err)).toMatch(/wrong shape 1: x\.b: file \[1\].*model \[2\]/);
    expect(Array.from(c.dataSync())).toEqual([0, 0]); // nothing assigned on error
    tf.dispose([a, b, a2, b2, c]);
  });
});
