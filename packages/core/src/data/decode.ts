import sharp from 'sharp';
import type { Sample } from './sample.js';

/** Decoded image: HWC float32 pixels in [0, 1]. */
export interface DecodedImage {
  data: Float32Array;
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
  const src = sample.image;
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
    const c = info.channels;
    const out = new Float32Array(opts.height * opts.width * opts.channels);
    const n = opts.height * opts.width;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < opts.channels; k++) out[i * opts.channels + k] = data[i * c + Math.min(k, c - 1)]! / 255;
    }
    return { data: out, height: opts.height, width: opts.width, channels: opts.channels };
  } catch (e) {
    const where = src.kind === 'file' ? src.path : `sample ${sample.id}`;
    throw new Error(`${where}: cannot decode image: ${(e as Error).message}`);
  }
}
