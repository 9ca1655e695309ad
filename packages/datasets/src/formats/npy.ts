import { DataError } from '@iern/core';

export interface NpyArray {
  descr: string;
  shape: number[];
  fortranOrder: boolean;
  /** Values in file order: numbers for numeric dtypes, strings for `U`/`S` dtypes. */
  values: (number | string)[];
}

/**
 * Reads a NumPy `.npy` file (format versions 1-3): parses the header dict and decodes the
 * data for bool, (u)int8-64, float16/32/64, and fixed-width `U`/`S` strings. Object arrays
 * (`|O`, pickled) are refused.
 */
export function readNpy(buf: Uint8Array, file = '<npy>'): NpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (buf.length < 10 || magic.some((b, i) => buf[i] !== b)) throw new DataError(file, 'not a .npy file (bad magic)');
  const major = buf[6]!;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(buf.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new DataError(file, `cannot parse .npy header: ${header.trim()}`);
  const fortranOrder = /'fortran_order'\s*:\s*True/.test(header);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  let off = start + headerLen;
  const little = descr[0] !== '>';
  const kind = descr[1]!;
  const size = Number(descr.slice(2));
  const values: (number | string)[] = [];
  if (kind === 'O') throw new DataError(file, 'object arrays (pickled) are not supported; save the value with a plain dtype');
  if (off + count * (kind === 'U' ? size * 4 : size) > buf.length) throw new DataError(file, 'data shorter than the header says');
  for (let i = 0; i < count; i++) {
    if (kind === 'U') {
      let s = '';
      for (let c = 0; c < size; c++) {
        const cp = view.getUint32(off + c * 4, little);
        if (cp === 0) break;
        s += String.fromCodePoint(cp);
      }
      values.push(s);
      off += size * 4;
      continue;
    }
    if (kind === 'S' || kind === 'a') {
      const b = buf.subarray(off, off + size);
      const z = b.indexOf(0);
      values.push(new TextDecoder('latin1').decode(z < 0 ? b : b.subarray(0, z)));
      off += size;
      continue;
    }
    let v: number;
    if (kind === 'b') v = buf[off]! ? 1 : 0;
    else if (kind === 'i' && size === 1) v = view.getInt8(off);
    else if (kind === 'u' && size === 1) v = view.getUint8(off);
    else if (kind === 'i' && size === 2) v = view.getInt16(off, little);
    else if (kind === 'u' && size === 2) v = view.getUint16(off, little);
    else if (kind === 'i' && size === 4) v = view.getInt32(off, little);
    else if (kind === 'u' && size === 4) v = view.getUint32(off, little);
    else if (kind === 'i' && size === 8) v = Number(view.getBigInt64(off, little));
    else if (kind === 'u' && size === 8) v = Number(view.getBigUint64(off, little));
    else if (kind === 'f' && size === 4) v = view.getFloat32(off, little);
    else if (kind === 'f' && size === 8) v = view.getFloat64(off, little);
    else if (kind === 'f' && size === 2) v = half(view.getUint16(off, little));
    else throw new DataError(file, `unsupported dtype '${descr}'`);
    values.push(v);
    off += size;
  }
  return { descr, shape, fortranOrder, values };
}

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}
