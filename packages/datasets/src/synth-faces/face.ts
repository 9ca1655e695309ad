import type { Rng } from '@iern/core';

/**
 * Geometry of one face in face coordinates (x right, y down, the face ellipse about
 * [-0.7, 0.7] x [-0.85, 0.85]). Identity fields vary between people; expression fields are
 * set by the emotion and its intensity. Emotion lives only here, never in colour or texture.
 */
export interface FaceGeometry {
  faceRx: number;
  faceRy: number;
  skin: [number, number, number];
  eyeY: number;
  eyeDx: number;
  eyeRx: number;
  /** Eye opening (multiplies the neutral eye height). */
  eyeOpen: number;
  /** Brow height above the eye at the inner and outer ends (positive = higher). */
  browInner: number;
  browOuter: number;
  browThick: number;
  mouthY: number;
  mouthW: number;
  /** Centre of the lip line below the corners (> 0 smile, < 0 frown). */
  mouthBend: number;
  /** Opening height of the mouth at its centre. */
  mouthOpen: number;
  /** Share of the opening above the lip line. */
  mouthUpper: number;
  /** Lip line tilt (one corner raised: disgust). */
  mouthTilt: number;
  /** Nose wrinkle lines (disgust). */
  wrinkle: number;
  lipThick: number;
  pupil: number;
}

/** A neutral face of a random identity; `identity` scales the variation. */
export function neutralFace(rng: Rng, identity: number): FaceGeometry {
  const j = (w: number) => rng.uniform(-w, w) * identity;
  const tone = Math.min(0.92, Math.max(0.3, 0.66 + j(0.24)));
  const warm = 0.8 + j(0.08);
  return {
    faceRx: 0.64 + j(0.07),
    faceRy: 0.84 + j(0.06),
    skin: [tone, tone * warm, tone * (warm - 0.14)],
    eyeY: -0.16 + j(0.05),
    eyeDx: 0.28 + j(0.05),
    eyeRx: 0.15 + j(0.02),
    eyeOpen: 1,
    browInner: 0.2 + j(0.025),
    browOuter: 0.2 + j(0.025),
    browThick: 0.07 + j(0.012),
    mouthY: 0.44 + j(0.05),
    mouthW: 0.28 + j(0.04),
    mouthBend: j(0.015),
    mouthOpen: 0,
    mouthUpper: 0.4,
    mouthTilt: 0,
    wrinkle: 0,
    lipThick: 0.05 + j(0.008),
    pupil: 0.045 + j(0.008),
  };
}

/** Moves a neutral face towards `emotion` by intensity k in [0, 1]. */
export function express(f: FaceGeometry, emotion: string, k: number, rng: Rng): FaceGeometry {
  const g = { ...f };
  const side = rng.chance(0.5) ? 1 : -1;
  switch (emotion) {
    case 'anger': // brows pulled down and together (V), narrowed eyes, pressed lips
      g.browInner -= 0.12 * k;
      g.browOuter += 0.03 * k;
      g.eyeOpen = 1 - 0.45 * k;
      g.mouthW *= 1 - 0.25 * k;
      g.mouthBend -= 0.03 * k;
      g.lipThick *= 1 + 0.6 * k;
      break;
    case 'disgust': // lowered brows, squint, raised upper lip on one side, nose wrinkles
      g.browInner -= 0.07 * k;
      g.browOuter -= 0.05 * k;
      g.eyeOpen = 1 - 0.35 * k;
      g.mouthBend -= 0.06 * k;
      g.mouthTilt = side * 0.09 * k;
      g.mouthOpen = 0.04 * k;
      g.mouthUpper = 0.9;
      g.wrinkle = k;
      break;
    case 'fear': // raised, drawn-together brows, wide eyes, stretched open mouth
      g.browInner += 0.1 * k;
      g.browOuter += 0.02 * k;
      g.eyeOpen = 1 + 0.55 * k;
      g.mouthW *= 1 + 0.2 * k;
      g.mouthOpen = 0.1 * k;
      g.mouthBend -= 0.02 * k;
      g.mouthUpper = 0.3;
      break;
    case 'happiness': // smile with raised corners, slightly narrowed eyes
      g.eyeOpen = 1 - 0.2 * k;
      g.mouthW *= 1 + 0.15 * k;
      g.mouthBend += 0.13 * k;
      g.mouthOpen = 0.07 * k;
      g.mouthUpper = 0.15;
      break;
    case 'sadness': // inner brows up, outer down, drooping eyes, frown
      g.browInner += 0.08 * k;
      g.browOuter -= 0.06 * k;
      g.eyeOpen = 1 - 0.25 * k;
      g.mouthBend -= 0.13 * k;
      g.mouthW *= 1 - 0.1 * k;
      break;
    case 'surprise': // high arched brows, wide eyes, round open mouth
      g.browInner += 0.13 * k;
      g.browOuter += 0.13 * k;
      g.eyeOpen = 1 + 0.65 * k;
      g.mouthW *= 1 - 0.45 * k;
      g.mouthOpen = 0.24 * k;
      g.mouthUpper = 0.45;
      break;
    default:
      throw new Error(`synth-faces: unknown emotion '${emotion}'`);
  }
  return g;
}

const DARK: [number, number, number] = [0.12, 0.09, 0.08];
const MOUTH: [number, number, number] = [0.32, 0.08, 0.1];
const SCLERA: [number, number, number] = [0.95, 0.95, 0.93];

/** Distance from (px, py) to segment (ax, ay)-(bx, by). */
function segDist(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  const ex = px - ax - t * dx;
  const ey = py - ay - t * dy;
  return Math.sqrt(ex * ex + ey * ey);
}

/**
 * Colour of the face at face coordinates (u, v), written to `out`; false when the point is
 * outside the face (the background shows).
 */
export function paintFace(g: FaceGeometry, u: number, v: number, out: [number, number, number]): boolean {
  const fx = u / g.faceRx;
  const fy = v / g.faceRy;
  if (fx * fx + fy * fy > 1) return false;
  // soft shading towards the rim so the head reads as round
  const rim = 1 - 0.18 * (fx * fx + fy * fy);
  out[0] = g.skin[0] * rim;
  out[1] = g.skin[1] * rim;
  out[2] = g.skin[2] * rim;
  const set = (c: [number, number, number]) => {
    out[0] = c[0];
    out[1] = c[1];
    out[2] = c[2];
  };
  const au = Math.abs(u);
  // eyes: sclera ellipse, pupil
  const eyeRy = 0.08 * g.eyeOpen;
  const ex = (au - g.eyeDx) / g.eyeRx;
  const ey = (v - g.eyeY) / eyeRy;
  if (ex * ex + ey * ey <= 1) {
    const pd = Math.hypot(au - g.eyeDx, v - g.eyeY);
    set(pd < g.pupil ? DARK : SCLERA);
    return true;
  }
  // brows: a thick segment from the inner to the outer end
  const bi = g.eyeY - g.browInner;
  const bo = g.eyeY - g.browOuter;
  if (segDist(au, v, g.eyeDx - 0.15, bi, g.eyeDx + 0.16, bo) < g.browThick / 2) {
    set(DARK);
    return true;
  }
  // nose: short line and wrinkles beside it
  if (segDist(u, v, 0, g.eyeY + 0.12, 0, 0.2) < 0.018 || segDist(au, v, 0, 0.21, 0.06, 0.2) < 0.018) {
    out[0] *= 0.7;
    out[1] *= 0.7;
    out[2] *= 0.7;
    return true;
  }
  if (g.wrinkle > 0 && segDist(au, v, 0.07, g.eyeY + 0.1, 0.13, g.eyeY + 0.18) < 0.012 + 0.01 * g.wrinkle) {
    set(DARK);
    return true;
  }
  // mouth: a bent, possibly tilted lip line with an elliptical opening
  const t = u / g.mouthW;
  if (Math.abs(t) <= 1) {
    const line = g.mouthY + g.mouthBend * (1 - t * t) - g.mouthTilt * t;
    const o = g.mouthOpen * Math.sqrt(1 - t * t);
    const top = line - o * g.mouthUpper - g.lipThick / 2;
    const bottom = line + o * (1 - g.mouthUpper) + g.lipThick / 2;
    if (v >= top && v <= bottom) {
      set(o > g.lipThick * 0.5 && v > top + g.lipThick * 0.4 && v < bottom - g.lipThick * 0.4 ? MOUTH : DARK);
      return true;
    }
  }
  return true;
}
