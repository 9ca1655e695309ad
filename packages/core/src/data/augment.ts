import type { AugmentConfig } from '../config/experiment.js';
import type { Rng } from '../util/rng.js';
import type { DecodedImage } from './decode.js';
import type { Augment } from './loader.js';

/**
 * Train-time augmentation on decoded HWC [0,1] images, as published for IERN (torchvision
 * order: random crop, horizontal flip, Gaussian blur, brightness, contrast, random affine),
 * plus optional look-randomising ops (greyscale, per-channel colour gain, pixel noise).
 * Every random draw comes from the `Rng` passed in, so a seed fixes the result.
 */

/** Mirrors left-right. */
export function hflip(img: DecodedImage): DecodedImage {
  const { data, height: H, width: W, channels: C } = img;
  const out = new Float32Array(data.length);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const s = (y * W + x) * C;
      const d = (y * W + (W - 1 - x)) * C;
      for (let c = 0; c < C; c++) out[d + c] = data[s + c]!;
    }
  }
  return { ...img, data: out };
}

/**
 * Samples `img` through a 2x3 inverse map (output pixel -> source pixel), bilinear, zero fill
 * outside the source (torchvision's default fill).
 */
export function warpAffine(img: DecodedImage, inv: readonly number[]): DecodedImage {
  const { data, height: H, width: W, channels: C } = img;
  const out = new Float32Array(data.length);
  const [a, b, c, d, e, f] = inv as [number, number, number, number, number, number];
  for (let y = 0; y < H; y++) {
    // pixel centres; stepped along the row
    let sx = a * 0.5 + b * (y + 0.5) + c - 0.5;
    let sy = d * 0.5 + e * (y + 0.5) + f - 0.5;
    for (let x = 0; x < W; x++, sx += a, sy += d) {
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < -1 || y0 < -1 || x0 >= W || y0 >= H) continue;
      const fx = sx - x0;
      const fy = sy - y0;
      const o = (y * W + x) * C;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H) {
        const s00 = (y0 * W + x0) * C;
        const s10 = s00 + C;
        const s01 = s00 + W * C;
        const s11 = s01 + C;
        const w00 = (1 - fx) * (1 - fy);
        const w10 = fx * (1 - fy);
        const w01 = (1 - fx) * fy;
        const w11 = fx * fy;
        for (let ch = 0; ch < C; ch++) {
          out[o + ch] = w00 * data[s00 + ch]! + w10 * data[s10 + ch]! + w01 * data[s01 + ch]! + w11 * data[s11 + ch]!;
        }
        continue;
      }
      for (let k = 0; k < 4; k++) {
        const xx = x0 + (k & 1);
        const yy = y0 + (k >> 1);
        if (xx < 0 || yy < 0 || xx >= W || yy >= H) continue;
        const w = (k & 1 ? fx : 1 - fx) * (k >> 1 ? fy : 1 - fy);
        const s = (yy * W + xx) * C;
        for (let ch = 0; ch < C; ch++) out[o + ch] += w * data[s + ch]!;
      }
    }
  }
  return { ...img, data: out };
}

/**
 * Random crop at the evaluation scale. The published pipeline resizes to 256 and crops 224
 * (random in training, centred at test). The loader decodes every image at the network size,
 * which matches the test framing; so the training crop is the same-scale window moved by a
 * random whole-pixel offset of up to +-(scale - 1) / 2 of the side, the uncovered border filled
 * with zeros (as torchvision's pad-and-crop). Train and test images then share one scale.
 */
export function randomCrop(img: DecodedImage, rng: Rng, scale = 256 / 224): DecodedImage {
  const { data, height: H, width: W, channels: C } = img;
  const mx = Math.floor(((scale - 1) / 2) * W);
  const my = Math.floor(((scale - 1) / 2) * H);
  const dx = rng.int(2 * mx + 1) - mx;
  const dy = rng.int(2 * my + 1) - my;
  const out = new Float32Array(data.length);
  for (let y = 0; y < H; y++) {
    const sy = y + dy;
    if (sy < 0 || sy >= H) continue;
    const x0 = Math.max(0, -dx);
    const x1 = Math.min(W, W - dx);
    if (x1 > x0) out.set(data.subarray((sy * W + x0 + dx) * C, (sy * W + x1 + dx) * C), (y * W + x0) * C);
  }
  return { ...img, data: out };
}

/** Separable Gaussian blur with standard deviation `sigma` (PIL's radius), edges clamped. */
export function gaussianBlur(img: DecodedImage, sigma: number): DecodedImage {
  if (sigma <= 0) return img;
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= sum;
  const { data, height: H, width: W, channels: C } = img;
  const row = W * C;
  // horizontal: each row copied into an edge-padded buffer, so the taps need no bounds checks
  const tmp = new Float32Array(data.length);
  const pad = new Float32Array((W + 2 * r) * C);
  for (let y = 0; y < H; y++) {
    const base = y * row;
    pad.set(data.subarray(base, base + row), r * C);
    for (let t = 0; t < r; t++) {
      for (let c = 0; c < C; c++) {
        pad[t * C + c] = data[base + c]!;
        pad[(r + W + t) * C + c] = data[base + row - C + c]!;
      }
    }
    // taps outer, pixels inner: a flat multiply-add loop the JIT handles well
    for (let t = 0; t <= 2 * r; t++) {
      const w = k[t]!;
      const off = t * C;
      for (let i = 0; i < row; i++) tmp[base + i] += w * pad[off + i]!;
    }
  }
  // vertical: whole rows at a time (contiguous memory)
  const out = new Float32Array(data.length);
  for (let y = 0; y < H; y++) {
    const o = y * row;
    for (let t = -r; t <= r; t++) {
      const src = Math.min(H - 1, Math.max(0, y + t)) * row;
      const w = k[t + r]!;
      for (let i = 0; i < row; i++) out[o + i] += w * tmp[src + i]!;
    }
  }
  return { ...img, data: out };
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/** Multiplies every pixel by `factor` (torchvision brightness: blend with black). */
export function adjustBrightness(img: DecodedImage, factor: number): DecodedImage {
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = clamp01(img.data[i]! * factor);
  return { ...img, data: out };
}

/** Luma of pixel `p` (ITU-R 601, as torchvision's rgb_to_grayscale). */
function luma(d: Float32Array, p: number, C: number): number {
  return C >= 3 ? 0.299 * d[p]! + 0.587 * d[p + 1]! + 0.114 * d[p + 2]! : d[p]!;
}

/** Blends with the image's mean grey by `factor` (torchvision contrast). */
export function adjustContrast(img: DecodedImage, factor: number): DecodedImage {
  const { data, channels: C } = img;
  const n = data.length / C;
  let mean = 0;
  for (let p = 0; p < n; p++) mean += luma(data, p * C, C);
  mean /= n;
  const out = new Float32Array(data.length);
  for (let i = 0; i < out.length; i++) out[i] = clamp01(mean + factor * (data[i]! - mean));
  return { ...img, data: out };
}

/** Replaces colour by its luma in every channel. */
export function toGrayscale(img: DecodedImage): DecodedImage {
  const { data, channels: C } = img;
  if (C < 3) return img;
  const out = new Float32Array(data.length);
  for (let p = 0; p < data.length; p += C) {
    const v = luma(data, p, C);
    for (let c = 0; c < C; c++) out[p + c] = v;
  }
  return { ...img, data: out };
}

/** Multiplies channel c by gains[c]. */
export function channelGain(img: DecodedImage, gains: readonly number[]): DecodedImage {
  const C = img.channels;
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = clamp01(img.data[i]! * gains[i % C]!);
  return { ...img, data: out };
}

/** Adds N(0, std) noise to every value. */
export function addNoise(img: DecodedImage, std: number, rng: Rng): DecodedImage {
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = clamp01(img.data[i]! + rng.normal(0, std));
  return { ...img, data: out };
}

export interface AffineParams {
  /** Rotation in degrees (counter-clockwise on screen). */
  angle: number;
  /** Translation in pixels. */
  tx: number;
  ty: number;
  scale: number;
  /** Shear along x, degrees. */
  shear: number;
}

/**
 * Applies rotation, translation, scale and x-shear about the image centre (torchvision's
 * RandomAffine composition: T * C * R * Sh * S * C^-1), sampling through the inverse map.
 */
export function affine(img: DecodedImage, p: AffineParams): DecodedImage {
  const rad = (-p.angle * Math.PI) / 180; // screen y points down
  const sh = (p.shear * Math.PI) / 180;
  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  // forward linear part M = R * Sh * S, with Sh = [[1, -tan(sh)], [0, 1]]
  const m00 = cos * p.scale;
  const m01 = (-cos * Math.tan(sh) - sin) * p.scale;
  const m10 = sin * p.scale;
  const m11 = (-sin * Math.tan(sh) + cos) * p.scale;
  const det = m00 * m11 - m01 * m10;
  const i00 = m11 / det;
  const i01 = -m01 / det;
  const i10 = -m10 / det;
  const i11 = m00 / det;
  const cx = img.width / 2;
  const cy = img.height / 2;
  // src = Minv * (dst - c - t) + c
  const ox = cx + p.tx;
  const oy = cy + p.ty;
  return warpAffine(img, [i00, i01, cx - i00 * ox - i01 * oy, i10, i11, cy - i10 * ox - i11 * oy]);
}

/** Draws RandomAffine parameters: angle +-degrees, translate +-t*size, scale range, shear +-shear. */
export function randomAffineParams(
  rng: Rng,
  cfg: { degrees: number; translate: number; scale: readonly [number, number]; shear: number },
  width: number,
  height: number,
): AffineParams {
  return {
    angle: rng.uniform(-cfg.degrees, cfg.degrees),
    tx: Math.round(rng.uniform(-cfg.translate * width, cfg.translate * width)),
    ty: Math.round(rng.uniform(-cfg.translate * height, cfg.translate * height)),
    scale: rng.uniform(cfg.scale[0], cfg.scale[1]),
    shear: rng.uniform(-cfg.shear, cfg.shear),
  };
}

/** True when the config enables at least one op. */
export function augmentEnabled(cfg: AugmentConfig): boolean {
  return Boolean(
    cfg.hflip || cfg.randomCrop || cfg.blur || cfg.brightness || cfg.contrast || cfg.affine || cfg.grayscale || cfg.colorJitter || cfg.noise,
  );
}

/**
 * The augmentation for a `data.augment` config. Ops run in the published order; each draws
 * from the given `Rng`, so (seed, image) fixes the output. With nothing enabled it returns
 * the image unchanged.
 */
export function buildAugment(cfg: AugmentConfig): Augment {
  const fn: Augment = (input, rng) => {
    let img = input;
    if (cfg.randomCrop) img = randomCrop(img, rng, cfg.cropScale ?? 256 / 224);
    if (cfg.hflip && rng.chance(0.5)) img = hflip(img);
    if (cfg.blur && rng.chance(cfg.blur.p)) img = gaussianBlur(img, rng.uniform(cfg.blur.radius[0], cfg.blur.radius[1]));
    if (cfg.brightness) img = adjustBrightness(img, rng.uniform(cfg.brightness[0], cfg.brightness[1]));
    if (cfg.contrast) img = adjustContrast(img, rng.uniform(cfg.contrast[0], cfg.contrast[1]));
    if (cfg.affine) img = affine(img, randomAffineParams(rng, cfg.affine, img.width, img.height));
    if (cfg.grayscale && rng.chance(cfg.grayscale)) img = toGrayscale(img);
    if (cfg.colorJitter) {
      const j = cfg.colorJitter;
      img = channelGain(img, Array.from({ length: img.channels }, () => rng.uniform(1 - j, 1 + j)));
    }
    if (cfg.noise) img = addNoise(img, cfg.noise, rng);
    return img;
  };
  // lets loader workers rebuild the same function from plain data
  fn.config = cfg;
  return fn;
}
