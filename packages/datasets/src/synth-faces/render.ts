import { Rng, hashString } from '@iern/core';
import { express, neutralFace, paintFace } from './face.js';
import { drawLook } from './looks.js';
import type { SynthRenderOptions, SynthSource } from './options.js';

/**
 * Renders one face image (RGB uint8, size x size) by direct pixel drawing with
 * supersampling. Deterministic: the image depends only on the seed, source, emotion, index
 * and render options, not on how many other images are drawn.
 */
export function renderFace(o: SynthRenderOptions, source: SynthSource, emotion: string, index: number): Uint8Array {
  const rng = new Rng((hashString(`${o.seed}|${source}|${emotion}|${index}`) ^ Math.imul(o.seed, 0x9e3779b1)) >>> 0);
  const { identity, pose, look: lookStrength, noise } = o.nuisance;
  const k = rng.uniform(o.intensity[0], o.intensity[1]);
  const face = express(neutralFace(rng, identity), emotion, k, rng);
  const look = drawLook(source, rng, lookStrength, pose, noise);
  const S = o.size;
  const ss = o.supersample;
  const cos = Math.cos(look.rotation);
  const sin = Math.sin(look.rotation);
  const out = new Uint8Array(S * S * 3);
  const c: [number, number, number] = [0, 0, 0];
  const acc: [number, number, number] = [0, 0, 0];
  const inv = 1 / (ss * ss);
  for (let py = 0; py < S; py++) {
    for (let px = 0; px < S; px++) {
      acc[0] = acc[1] = acc[2] = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const x = ((px + (sx + 0.5) / ss) / S) * 2 - 1;
          const y = ((py + (sy + 0.5) / ss) / S) * 2 - 1;
          const dx = x - look.tx;
          const dy = y - look.ty;
          const u = (cos * dx + sin * dy) / look.scale;
          const v = (-sin * dx + cos * dy) / look.scale;
          if (!paintFace(face, u, v, c)) look.background(x, y, c);
          acc[0] += c[0];
          acc[1] += c[1];
          acc[2] += c[2];
        }
      }
      const x = ((px + 0.5) / S) * 2 - 1;
      const y = ((py + 0.5) / S) * 2 - 1;
      const vig = 1 - look.vignette * 0.5 * (x * x + y * y);
      const luma = (0.299 * acc[0] + 0.587 * acc[1] + 0.114 * acc[2]) * inv;
      const n = look.noise > 0 ? rng.normal(0, look.noise) : 0;
      for (let ch = 0; ch < 3; ch++) {
        const col = acc[ch]! * inv * look.gain[ch]!;
        const val = luma * look.grey + col * (1 - look.grey);
        const toned = (look.lo + (look.hi - look.lo) * val) * vig + n;
        out[(py * S + px) * 3 + ch] = Math.max(0, Math.min(255, Math.round(toned * 255)));
      }
    }
  }
  return out;
}
