import type { Rng } from '@iern/core';
import type { SynthSource } from './options.js';

type Rgb = [number, number, number];

/**
 * How one image of a source is captured: pose, background, colour and tone. This is the
 * confounder: it depends on the source only, never on the emotion.
 */
export interface Look {
  rotation: number;
  scale: number;
  tx: number;
  ty: number;
  /** 1 = greyscale capture. */
  grey: number;
  /** Per-channel colour gain (white balance). */
  gain: Rgb;
  /** Output tone range: pixel = lo + (hi - lo) * value. */
  lo: number;
  hi: number;
  /** Darkening towards the corners. */
  vignette: number;
  noise: number;
  /** Background colour at image coordinates (x, y in [-1, 1]). */
  background(x: number, y: number, out: Rgb): void;
}

interface LookRanges {
  rotationDeg: number;
  scale: [number, number];
  translate: number;
  grey: number;
  gainJitter: number;
  lo: number;
  hi: number;
  vignette: number;
  noise: number;
  bgGrey: number;
  /** 0 = flat background, 1 = coloured stripes and blobs. */
  texture: number;
}

/** A neutral capture every source moves away from as `look` grows. */
const NEUTRAL: LookRanges = { rotationDeg: 4, scale: [0.88, 1], translate: 0.05, grey: 0, gainJitter: 0.05, lo: 0.02, hi: 0.98, vignette: 0, noise: 0.015, bgGrey: 0.6, texture: 0 };

const SOURCES: Record<SynthSource, LookRanges> = {
  // grey, evenly lit lab studio (CK+-like)
  studio: { rotationDeg: 3, scale: [0.92, 1], translate: 0.03, grey: 1, gainJitter: 0, lo: 0.04, hi: 0.98, vignette: 0, noise: 0.01, bgGrey: 0.66, texture: 0 },
  // dark, low-contrast near-infrared capture (Oulu-CASIA NIR-like)
  infrared: { rotationDeg: 4, scale: [0.88, 1], translate: 0.04, grey: 1, gainJitter: 0, lo: 0.06, hi: 0.5, vignette: 0.6, noise: 0.03, bgGrey: 0.12, texture: 0 },
  // colour video frame: textured scene, colour cast, rotated and smaller faces (MMI-like)
  video: { rotationDeg: 20, scale: [0.76, 0.92], translate: 0.09, grey: 0, gainJitter: 0.18, lo: 0, hi: 1, vignette: 0.1, noise: 0.02, bgGrey: 0.5, texture: 1 },
};

const lerp = (a: number, b: number, t: number) => a + (b - a) * t;

/** Draws the capture of one image of `source`; `look` in [0, 1] blends from neutral to the source's look. */
export function drawLook(source: SynthSource, rng: Rng, look: number, pose: number, noise: number): Look {
  const s = SOURCES[source];
  const r = (k: keyof LookRanges) => lerp(NEUTRAL[k] as number, s[k] as number, look);
  const scaleLo = lerp(NEUTRAL.scale[0], s.scale[0], look);
  const scaleHi = lerp(NEUTRAL.scale[1], s.scale[1], look);
  const rot = (r('rotationDeg') * pose * Math.PI) / 180;
  const gj = r('gainJitter');
  const bg = r('bgGrey') + rng.uniform(-0.04, 0.04);
  const texture = r('texture');
  const background = texture > 0 ? texturedBackground(rng, bg, texture) : (_x: number, _y: number, out: Rgb) => ((out[0] = bg), (out[1] = bg), (out[2] = bg));
  return {
    rotation: rng.uniform(-rot, rot),
    scale: 1 + (rng.uniform(scaleLo, scaleHi) - 1) * Math.min(1, pose) + (pose > 1 ? rng.uniform(-0.05, 0.05) * (pose - 1) : 0),
    tx: rng.uniform(-1, 1) * r('translate') * pose,
    ty: rng.uniform(-1, 1) * r('translate') * pose,
    grey: r('grey'),
    gain: [1 + rng.uniform(-gj, gj), 1 + rng.uniform(-gj, gj), 1 + rng.uniform(-gj, gj)],
    lo: r('lo'),
    hi: r('hi'),
    vignette: r('vignette'),
    noise: r('noise') * noise,
    background,
  };
}

/** Two-colour stripes at a random angle plus a few soft colour blobs, blended over flat grey. */
function texturedBackground(rng: Rng, grey: number, weight: number): (x: number, y: number, out: Rgb) => void {
  const c1: Rgb = [rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.9)];
  const c2: Rgb = [rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.9)];
  const angle = rng.uniform(0, Math.PI);
  const freq = rng.uniform(4, 12);
  const phase = rng.uniform(0, 2 * Math.PI);
  const ca = Math.cos(angle) * freq;
  const sa = Math.sin(angle) * freq;
  const blobs = Array.from({ length: 3 }, () => ({
    x: rng.uniform(-1, 1),
    y: rng.uniform(-1, 1),
    r2: rng.uniform(0.05, 0.25),
    c: [rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0, 1)] as Rgb,
  }));
  return (x, y, out) => {
    const t = 0.5 + 0.5 * Math.sin(ca * x + sa * y + phase);
    for (let k = 0; k < 3; k++) out[k] = c1[k]! * t + c2[k]! * (1 - t);
    for (const b of blobs) {
      const w = Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / b.r2);
      for (let k = 0; k < 3; k++) out[k] = out[k]! * (1 - w) + b.c[k]! * w;
    }
    for (let k = 0; k < 3; k++) out[k] = grey * (1 - weight) + out[k]! * weight;
  };
}
