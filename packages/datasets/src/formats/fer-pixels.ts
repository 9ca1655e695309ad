import { DataError } from '@iern/core';

/** Parses FER2013's space-separated pixel field (48x48 grey, row-major) into bytes. */
export function parseFerPixels(text: string, file: string, line: number, side = 48): Uint8Array {
  const out = new Uint8Array(side * side);
  let n = 0;
  let v = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    if (c >= 48 && c <= 57) v = (v < 0 ? 0 : v * 10) + (c - 48);
    else if (c === 32 || c === 9 || c === 10 || c === 13) {
      if (v >= 0) {
        if (v > 255) throw new DataError(file, `pixel value ${v} is out of 0-255`, line);
        if (n >= out.length) throw new DataError(file, `more than ${side * side} pixel values`, line);
        out[n++] = v;
        v = -1;
      }
    } else throw new DataError(file, `pixels field has a non-digit character '${text[i]}'`, line);
  }
  if (n !== out.length) throw new DataError(file, `expected ${side * side} pixel values (${side}x${side}), got ${n}`, line);
  return out;
}
