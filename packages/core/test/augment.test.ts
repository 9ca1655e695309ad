import { describe, expect, it } from 'vitest';
import {
  Rng, adjustBrightness, adjustContrast, affine, augmentSchema, buildAugment, channelGain, gaussianBlur, hflip, randomCrop, toGrayscale, addNoise,
  type DecodedImage,
} from '@iern/core';

/** A W x H RGB image whose pixel (x, y) = [x/W, y/H, 0.5]. */
function ramp(W = 8, H = 6): DecodedImage {
  const data = new Float32Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.set([x / W, y / H, 0.5], (y * W + x) * 3);
  return { data, width: W, height: H, channels: 3 };
}
const px = (img: DecodedImage, x: number, y: number) => Array.from(img.data.slice((y * img.width + x) * img.channels, (y * img.width + x + 1) * img.channels));
const published = augmentSchema.parse({
  hflip: true, randomCrop: true, blur: { p: 0.5, radius: [0.1, 1.5] }, brightness: [0.8, 1.2], contrast: [0.75, 1.5],
  affine: { degrees: 10, translate: 0.2, scale: [0.8, 1.2], shear: 8 },
});

describe('augment ops', () => {
  it('hflip mirrors columns', () => {
    const img = ramp();
    const f = hflip(img);
    expect(px(f, 0, 2)).toEqual(px(img, 7, 2));
    expect(px(f, 5, 1)).toEqual(px(img, 2, 1));
  });
  it('affine: identity keeps pixels, an integer translation shifts them, zero fill outside', () => {
    const img = ramp();
    const id = affine(img, { angle: 0, tx: 0, ty: 0, scale: 1, shear: 0 });
    id.data.forEach((v, i) => expect(v).toBeCloseTo(img.data[i]!, 5));
    const sh = affine(img, { angle: 0, tx: 2, ty: 1, scale: 1, shear: 0 });
    expect(px(sh, 5, 3).map((v) => +v.toFixed(5))).toEqual(px(img, 3, 2).map((v) => +v.toFixed(5)));
    expect(px(sh, 0, 0)).toEqual([0, 0, 0]);
    // a 180 degree rotation of a square image maps (x, y) to (W-1-x, H-1-y)
    const sq = ramp(6, 6);
    const rot = affine(sq, { angle: 180, tx: 0, ty: 0, scale: 1, shear: 0 });
    px(rot, 1, 2).forEach((v, k) => expect(v).toBeCloseTo(px(sq, 4, 3)[k]!, 4));
  });
  it('random crop shifts by whole pixels at the same scale, zero fill at the uncovered border', () => {
    const img = ramp(16, 16);
    const seen = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      const c = randomCrop(img, new Rng(seed), 1.5); // shifts of up to +-4 pixels
      // find the shift from a pixel well inside, then check every covered pixel
      const [r, g] = px(c, 8, 8);
      const dx = Math.round(r! * 16) - 8;
      const dy = Math.round(g! * 16) - 8;
      expect(Math.abs(dx)).toBeLessThanOrEqual(4);
      expect(Math.abs(dy)).toBeLessThanOrEqual(4);
      seen.add(`${dx},${dy}`);
      for (let y = 0; y < 16; y++) {
        for (let x = 0; x < 16; x++) {
          const inside = x + dx >= 0 && x + dx < 16 && y + dy >= 0 && y + dy < 16;
          expect(px(c, x, y)).toEqual(inside ? px(img, x + dx, y + dy) : [0, 0, 0]);
        }
      }
    }
    expect(seen.size).toBeGreaterThan(5);
  });
  it('blur smooths a checkerboard but keeps a flat image', () => {
    const W = 8;
    const data = new Float32Array(W * W).map((_, i) => ((i % W) + Math.floor(i / W)) % 2);
    const img = { data, width: W, height: W, channels: 1 };
    const b = gaussianBlur(img, 1);
    const varOf = (d: Float32Array) => d.reduce((a, v) => a + (v - 0.5) ** 2, 0) / d.length;
    expect(varOf(b.data)).toBeLessThan(varOf(data) / 10);
    // an impulse spreads symmetrically and keeps its mass (RGB: channels stay separate)
    const imp = { data: new Float32Array(11 * 11 * 3), width: 11, height: 11, channels: 3 };
    imp.data[(5 * 11 + 5) * 3 + 1] = 1;
    const bi = gaussianBlur(imp, 1.2);
    expect(bi.data.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
    const at = (x: number, y: number, c: number) => bi.data[(y * 11 + x) * 3 + c]!;
    expect(at(4, 5, 1)).toBeCloseTo(at(6, 5, 1), 6);
    expect(at(5, 4, 1)).toBeCloseTo(at(4, 5, 1), 6);
    expect(at(5, 5, 0)).toBe(0);
    const flat = { data: new Float32Array(16).fill(0.3), width: 4, height: 4, channels: 1 };
    gaussianBlur(flat, 1.5).data.forEach((v) => expect(v).toBeCloseTo(0.3, 5));
  });
  it('brightness multiplies, contrast blends with the mean grey, both clamp to [0, 1]', () => {
    const img = ramp();
    expect(px(adjustBrightness(img, 1.2), 5, 0)[0]).toBeCloseTo((5 / 8) * 1.2, 5);
    expect(px(adjustBrightness(img, 2), 7, 5)[0]).toBe(1);
    const flat = adjustContrast(img, 0);
    const m = flat.data[0]!;
    flat.data.forEach((v) => expect(v).toBeCloseTo(m, 5));
    adjustContrast(img, 1).data.forEach((v, i) => expect(v).toBeCloseTo(img.data[i]!, 5));
  });
  it('greyscale equalises channels, colour gain scales channels, noise perturbs', () => {
    const img = ramp();
    const g = px(toGrayscale(img), 3, 3);
    expect(g[0]).toBeCloseTo(g[1]!, 6);
    expect(g[1]).toBeCloseTo(g[2]!, 6);
    expect(px(channelGain(img, [1, 0.5, 2]), 4, 4)).toEqual([0.5, (4 / 6) * 0.5, 1].map((v) => Math.fround(v)));
    const n = addNoise(img, 0.05, new Rng(1));
    expect(n.data.some((v, i) => v !== img.data[i])).toBe(true);
  });
});

describe('buildAugment', () => {
  it('is the identity with nothing enabled', () => {
    const img = ramp();
    expect(buildAugment(augmentSchema.parse({}))(img, new Rng(0)).data).toEqual(img.data);
  });
  it('the published pipeline is deterministic for a seed, differs across seeds, stays in [0, 1]', () => {
    const aug = buildAugment(published);
    const a = aug(ramp(), new Rng(42));
    const b = aug(ramp(), new Rng(42));
    const c = aug(ramp(), new Rng(43));
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(ramp().data));
    expect(a.data.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect([a.width, a.height, a.channels]).toEqual([8, 6, 3]);
  });
  it('hflip alone flips about half the time', () => {
    const aug = buildAugment(augmentSchema.parse({ hflip: true }));
    const rng = new Rng(7);
    let flips = 0;
    for (let i = 0; i < 200; i++) if (aug(ramp(), rng).data[0] !== 0) flips++;
    expect(flips).toBeGreaterThan(70);
    expect(flips).toBeLessThan(130);
  });
});
