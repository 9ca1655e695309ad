import sharp from 'sharp';
import type { Sample } from './sample.js';

/** Decoded image: HWC float32 pixels in [0, 1]. */
export interface DecodedImage {
  data: Float32Array;
  height: number;
  width: number;
  channels: number;
}

/** Decoded image as sharp produces it: HWC uint8 (4x smaller than floats; what the loader caches). */
export interface DecodedBytes {
  data: Uint8Array;
  height: number;
  width: number;
  channels: number;
}

export interface DecodeOptions {
  height: number;
  width: number;
  /** 1 = grey, 3 = RGB (grey sources are replicated). */
  channels: 1 | 3;
}

/**
 * Decodes a sample with sharp: file or raw pixels, crop to its box, resize (bilinear, fill),
 * convert to the requested channel count. Throws with the file name when it cannot.
 */
export async function decodeSample(sample: Sample, opts: DecodeOptions): Promise<DecodedImage> {
  const b = await decodeSampleBytes(sample, opts);
  const out = new Float32Array(b.data.length);
  for (let i = 0; i < out.length; i++) out[i] = b.data[i]! / 255;
  return { data: out, height: b.height, width: b.width, channels: b.channels };
}

/** Like `decodeSample`, but returns uint8 pixels (no float conversion). */
export async function decodeSampleBytes(sample: Sample, opts: DecodeOptions): Promise<DecodedBytes> {
  const src = sample.image;
  // Raw pixels already at the target size need no sharp round trip (FER2013 at 48x48).
  if (src.kind === 'pixels' && !sample.box && src.width === opts.width && src.height === opts.height && src.channels !== 4) {
    return convertChannels(src.data, src.channels, opts);
  }
  let img =
    src.kind === 'file'
      ? sharp(src.path, { failOn: 'error' })
      : sharp(Buffer.from(src.data.buffer, src.data.byteOffset, src.data.byteLength), {
          raw: { width: src.width, height: src.height, channels: src.channels },
        });
  try {
    if (sample.box) {
      const meta = src.kind === 'file' ? await sharp(src.path).metadata() : { width: src.width, height: src.height };
      const W = meta.width ?? 0;
      const H = meta.height ?? 0;
      const left = Math.max(0, Math.round(sample.box.x));
      const top = Math.max(0, Math.round(sample.box.y));
      const width = Math.max(1, Math.min(W - left, Math.round(sample.box.width)));
      const height = Math.max(1, Math.min(H - top, Math.round(sample.box.height)));
      img = img.extract({ left, top, width, height });
    }
    img = img.resize(opts.width, opts.height, { fit: 'fill', kernel: 'linear' }).removeAlpha();
    img = opts.channels === 1 ? img.toColourspace('b-w') : img.toColourspace('srgb');
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    return convertChannels(data, info.channels, opts);
  } catch (e) {
    const where = src.kind === 'file' ? src.path : `sample ${sample.id}`;
    throw new Error(`${where}: cannot decode image: ${(e as Error).message}`);
  }
}

/** Copies HWC bytes with `c` channels into the requested channel count (grey replicated, extra dropped). */
function convertChannels(data: Uint8Array, c: number, opts: DecodeOptions): DecodedBytes {
  const n = opts.height * opts.width;
  const C = opts.channels;
  let out: Uint8Array;
  if (c === C) out = Uint8Array.from(data.subarray(0, n * C));
  else {
    out = new Uint8Array(n * C);
    for (let i = 0; i < n; i++) {
      if (C === 1 && c >= 3) out[i] = Math.round(0.299 * data[i * c]! + 0.587 * data[i * c + 1]! + 0.114 * data[i * c + 2]!);
      else for (let k = 0; k < C; k++) out[i * C + k] = data[i * c + Math.min(k, c - 1)]!;
    }
  }
  return { data: out, height: opts.height, width: opts.width, channels: C };
}
