import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { makeSynthFaces, renderFace, synthFacesDefaults, SYNTH_EMOTIONS, SYNTH_SOURCES, type SynthFacesOptions } from '../src/synth-faces/index.js';

const tiny = (o: Partial<SynthFacesOptions> = {}) => synthFacesDefaults({ perCell: 10, seenTestPerCell: 3, size: 24, supersample: 1, cache: false, ...o });
const cellKey = (s: { confounder?: string; emotion: string }) => `${s.confounder}|${s.emotion}`;

describe('synth-faces generator', () => {
  it('is deterministic for a seed and changes with it', () => {
    const o = tiny();
    const a = renderFace(o, 'studio', 'anger', 3);
    expect(Buffer.compare(Buffer.from(a), Buffer.from(renderFace(o, 'studio', 'anger', 3)))).toBe(0);
    expect(Buffer.compare(Buffer.from(a), Buffer.from(renderFace(tiny({ seed: 1 }), 'studio', 'anger', 3)))).not.toBe(0);
    expect(Buffer.compare(Buffer.from(a), Buffer.from(renderFace(o, 'studio', 'anger', 4)))).not.toBe(0);
  });

  it('draws emotion by geometry: same identity and look, different emotion gives different pixels', () => {
    // index and seed fix the identity stream only up to the emotion; at least the images differ
    const o = tiny();
    const imgs = SYNTH_EMOTIONS.map((e) => Buffer.from(renderFace(o, 'studio', e, 0)));
    expect(new Set(imgs.map((b) => b.toString('base64'))).size).toBe(6);
  });

  it('balances classes: every (source, emotion) cell has perCell + 2 x seenTestPerCell images', async () => {
    const ds = await makeSynthFaces(tiny({ split: 'all' }));
    const counts = new Map<string, number>();
    for (const s of ds.samples) counts.set(cellKey(s), (counts.get(cellKey(s)) ?? 0) + 1);
    expect(counts.size).toBe(18);
    for (const n of counts.values()) expect(n).toBe(16);
    expect(new Set(ds.samples.map((s) => s.id)).size).toBe(ds.samples.length);
  });

  for (const ratio of [1, 0.9, 0.5]) {
    it(`follows the held-out-pair fold rule at ratio ${ratio}`, async () => {
      const perCell = 10;
      const seenByFold: string[][] = [];
      for (const fold of [1, 2, 3]) {
        const train = await makeSynthFaces(tiny({ fold, ratio, split: 'train' }));
        const test = await makeSynthFaces(tiny({ fold, ratio, split: 'test' }));
        const held = new Set(train.heldOutCells.map(cellKey));
        expect(held.size).toBe(6);
        // each source holds out exactly one pair; each emotion is held out by exactly one source
        for (const src of SYNTH_SOURCES) expect(train.heldOutCells.filter((c) => c.confounder === src)).toHaveLength(2);
        for (const e of SYNTH_EMOTIONS) expect(train.heldOutCells.filter((c) => c.emotion === e)).toHaveLength(1);
        // every emotion is seen in training from the other sources
        for (const e of SYNTH_EMOTIONS) {
          const fromOthers = train.samples.filter((s) => s.emotion === e && !held.has(cellKey(s)));
          expect(new Set(fromOthers.map((s) => s.confounder)).size).toBe(2);
        }
        // held-out cells: round(r * n) in test, the rest in train; no sample in both splits
        const nTest = Math.round(ratio * perCell);
        for (const k of held) {
          expect(test.samples.filter((s) => cellKey(s) === k)).toHaveLength(nTest);
          expect(train.samples.filter((s) => cellKey(s) === k)).toHaveLength(perCell - nTest);
        }
        const trainIds = new Set(train.samples.map((s) => s.id));
        expect(test.samples.some((s) => trainIds.has(s.id))).toBe(false);
        // seen cells: all protocol images in train, fresh seen-test images in test
        for (const s of test.samples.filter((x) => !held.has(cellKey(x)))) expect(Number(s.id.slice(-4))).toBeGreaterThanOrEqual(perCell);
        expect(test.samples.filter((s) => !held.has(cellKey(s)))).toHaveLength(12 * 3);
        expect(train.samples).toHaveLength(18 * perCell - 6 * nTest);
        seenByFold.push([...held]);
      }
      // over the three folds every cell is held out exactly once
      expect(new Set(seenByFold.flat()).size).toBe(18);
    });
  }

  it('carves a validation split from training data that never touches the test split', async () => {
    for (const ratio of [1, 0.9]) {
      const train = await makeSynthFaces(tiny({ fold: 1, ratio, split: 'train' }));
      const test = await makeSynthFaces(tiny({ fold: 1, ratio, split: 'test' }));
      const vtrain = await makeSynthFaces(tiny({ fold: 1, ratio, split: 'val-train' }));
      const val = await makeSynthFaces(tiny({ fold: 1, ratio, split: 'val' }));
      const trainIds = new Set(train.samples.map((s) => s.id));
      const testIds = new Set(test.samples.map((s) => s.id));
      // validation images of held-out cells come from the training split; none is a test image
      expect(vtrain.samples.every((s) => trainIds.has(s.id))).toBe(true);
      expect(val.samples.some((s) => testIds.has(s.id))).toBe(false);
      expect(val.samples.some((s) => vtrain.samples.some((t) => t.id === s.id))).toBe(false);
      // validation holds out other pairs than the test split
      const testHeld = new Set(test.heldOutCells.map(cellKey));
      expect(val.heldOutCells).toHaveLength(3);
      for (const src of SYNTH_SOURCES) expect(new Set(vtrain.samples.filter((s) => s.confounder === src).map((s) => s.emotion)).size).toBe(ratio === 1 ? 3 : 5);
      expect(val.heldOutCells.some((c) => testHeld.has(cellKey(c)))).toBe(false);
      const valHeld = new Set(val.heldOutCells.map(cellKey));
      expect(val.samples.filter((s) => valHeld.has(cellKey(s)))).toHaveLength(3 * 10);
      // seen validation cells: fresh images, 3 per cell, only cells fully trained on in val-train
      const seen = val.samples.filter((s) => !valHeld.has(cellKey(s)));
      expect(seen).toHaveLength(9 * 3);
      for (const s of seen) expect(vtrain.samples.some((t) => cellKey(t) === cellKey(s))).toBe(true);
    }
  });

  it('gives each source a measurably different look', async () => {
    const ds = await makeSynthFaces(tiny({ perCell: 4, seenTestPerCell: 0, split: 'all' }));
    const stats = (px: Uint8Array) => {
      let sum = 0, sq = 0, sat = 0;
      const n = px.length / 3;
      for (let i = 0; i < n; i++) {
        const r = px[i * 3]! / 255, g = px[i * 3 + 1]! / 255, b = px[i * 3 + 2]! / 255;
        const l = (r + g + b) / 3;
        sum += l; sq += l * l;
        sat += Math.max(r, g, b) - Math.min(r, g, b);
      }
      const mean = sum / n;
      return { mean, contrast: Math.sqrt(sq / n - mean * mean), sat: sat / n };
    };
    const by: Record<string, { mean: number; contrast: number; sat: number }[]> = {};
    for (const s of ds.samples) {
      if (s.image.kind !== 'pixels') throw new Error('expected pixels');
      (by[s.confounder!] ??= []).push(stats(s.image.data));
    }
    const max = (src: string, k: 'mean' | 'contrast' | 'sat') => Math.max(...by[src]!.map((x) => x[k]));
    const min = (src: string, k: 'mean' | 'contrast' | 'sat') => Math.min(...by[src]!.map((x) => x[k]));
    // infrared is darker and flatter than studio, image by image
    expect(max('infrared', 'mean')).toBeLessThan(min('studio', 'mean'));
    const avg = (src: string, k: 'mean' | 'contrast' | 'sat') => by[src]!.reduce((a, x) => a + x[k], 0) / by[src]!.length;
    expect(avg('infrared', 'contrast')).toBeLessThan(avg('studio', 'contrast'));
    // studio and infrared are grey; video is colour
    expect(max('studio', 'sat')).toBeLessThan(0.01);
    expect(max('infrared', 'sat')).toBeLessThan(0.01);
    expect(min('video', 'sat')).toBeGreaterThan(0.05);
    // with look strength 0 the sources are no longer separable by brightness
    const flat = await makeSynthFaces(tiny({ perCell: 4, seenTestPerCell: 0, split: 'all', nuisance: { identity: 1, pose: 1, look: 0, noise: 1 } }));
    const means = (src: string) => flat.samples.filter((s) => s.confounder === src).map((s) => stats((s.image as { data: Uint8Array }).data).mean);
    expect(Math.max(...means('infrared'))).toBeGreaterThan(Math.min(...means('studio')));
  });

  it('caches on disk and reads the same pixels back', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-faces-'));
    try {
      const o = tiny({ perCell: 2, seenTestPerCell: 1, split: 'all', cache: true, cacheDir: dir });
      const first = await makeSynthFaces(o);
      const second = await makeSynthFaces(o);
      expect(first.origin).toBe('rendered');
      expect(second.origin).toBe('cache');
      const px = (d: typeof first) => Buffer.concat(d.samples.map((s) => Buffer.from((s.image as { data: Uint8Array }).data)));
      expect(px(second).equals(px(first))).toBe(true);
      // other render options do not reuse the entry
      expect((await makeSynthFaces({ ...o, seed: 5 })).origin).toBe('rendered');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
