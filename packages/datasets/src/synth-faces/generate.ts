import type { Sample } from '@iern/core';
import { renderFace } from './render.js';
import { SYNTH_EMOTIONS, SYNTH_SOURCES, type SynthRenderOptions } from './options.js';

/** One generated image and its cell; `pool` says which part of the protocol it belongs to. */
export interface SynthImage {
  source: (typeof SYNTH_SOURCES)[number];
  emotion: string;
  index: number;
  /**
   * `protocol`: split by the fold rule; `seen-test`: fresh images that only test seen cells;
   * `seen-val`: fresh images that only validate seen cells (validation splits).
   */
  pool: 'protocol' | 'seen-test' | 'seen-val';
}

/** Every image the options describe, in a fixed order (source, emotion, index). */
export function synthImageList(o: SynthRenderOptions): SynthImage[] {
  const list: SynthImage[] = [];
  for (const source of SYNTH_SOURCES) {
    for (const emotion of SYNTH_EMOTIONS) {
      const n = o.perCell + 2 * o.seenTestPerCell;
      for (let i = 0; i < n; i++) list.push({ source, emotion, index: i, pool: i < o.perCell ? 'protocol' : i < o.perCell + o.seenTestPerCell ? 'seen-test' : 'seen-val' });
    }
  }
  return list;
}

export function sampleId(im: SynthImage): string {
  return `synth-${im.source}-${im.emotion}-${String(im.index).padStart(4, '0')}`;
}

/** Renders the list into one buffer (image i at i * size * size * 3). */
export function renderAll(o: SynthRenderOptions, list: readonly SynthImage[]): Uint8Array {
  const per = o.size * o.size * 3;
  const buf = new Uint8Array(list.length * per);
  list.forEach((im, i) => buf.set(renderFace(o, im.source, im.emotion, im.index), i * per));
  return buf;
}

/** Samples over a pixel buffer (views, no copy). */
export function toSamples(o: SynthRenderOptions, list: readonly SynthImage[], pixels: Uint8Array): Sample[] {
  const per = o.size * o.size * 3;
  return list.map((im, i) => ({
    id: sampleId(im),
    image: { kind: 'pixels', width: o.size, height: o.size, channels: 3, data: pixels.subarray(i * per, (i + 1) * per) },
    emotion: im.emotion,
    confounder: im.source,
  }));
}
