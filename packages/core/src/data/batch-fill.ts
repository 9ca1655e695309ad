import type { Rng } from '../util/rng.js';
import type { DecodedImage } from './decode.js';

/** Per-channel lookup table: byte -> (byte/255 - mean) / std. */
export function normalizationTable(mean: readonly number[], std: readonly number[], channels: number): Float32Array[] {
  return Array.from({ length: channels }, (_, k) => {
    const ch = channels === 1 ? 0 : k;
    const t = new Float32Array(256);
    for (let v = 0; v < 256; v++) t[v] = (v / 255 - mean[ch]!) / std[ch]!;
    return t;
  });
}

/**
 * Fills a batch buffer (NHWC float32, normalised) from cached uint8 images. With `augment`,
 * each image is converted to [0,1] floats, augmented with draws from `rng` (in index order),
 * then normalised. The same function runs on the main thread and in loader workers, so both
 * give identical batches for the same Rng state.
 */
export function fillBatch(
  pixels: Uint8Array,
  indices: readonly number[],
  dims: { height: number; width: number; channels: number },
  norm: { mean: readonly number[]; std: readonly number[] },
  augment?: (img: DecodedImage, rng: Rng) => DecodedImage,
  rng?: Rng,
  tables = normalizationTable(norm.mean, norm.std, dims.channels),
): Float32Array {
  const { height: h, width: w, channels: c } = dims;
  const per = h * w * c;
  const out = new Float32Array(indices.length * per);
  indices.forEach((i, j) => {
    const src = pixels.subarray(i * per, (i + 1) * per);
    const off = j * per;
    if (augment && rng) {
      const f = new Float32Array(per);
      for (let p = 0; p < per; p++) f[p] = src[p]! / 255;
      const img = augment({ data: f, height: h, width: w, channels: c }, rng).data;
      for (let p = 0; p < per; p++) {
        const ch = c === 1 ? 0 : p % c;
        out[off + p] = (img[p]! - norm.mean[ch]!) / norm.std[ch]!;
      }
    } else {
      for (let p = 0; p < per; p++) out[off + p] = tables[p % c]![src[p]!]!;
    }
  });
  return out;
}
