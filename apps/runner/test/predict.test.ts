import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { makeToyShapes } from '@iern/datasets';
import { iern } from './cli-helpers.js';
import { tempDir, trainInProcess, writeConfig } from './run-helpers.js';

describe('iern predict', () => {
  const dir = tempDir('predict');
  const images = tempDir('images');
  const files: string[] = [];
  let expected: Map<string, Record<string, number>>;

  beforeAll(async () => {
    const cfg = writeConfig();
    await trainInProcess(cfg, ['train.epochs=2'], { workDir: dir });
    // the first test images of the run, saved losslessly as PNG files
    const test = makeToyShapes({ perClass: 3, size: 8, classes: ['anger', 'happiness', 'sadness'], noise: 25, split: 'test', seed: 0 });
    for (const s of test.samples.slice(0, 4)) {
      const src = s.image as { kind: 'pixels'; width: number; height: number; channels: 3; data: Uint8Array };
      const file = path.join(images, `${s.id}.png`);
      await sharp(Buffer.from(src.data), { raw: { width: src.width, height: src.height, channels: src.channels } }).png().toFile(file);
      files.push(file);
    }
    const { readFileSync } = await import('node:fs');
    const preds = readFileSync(path.join(dir, 'predictions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expected = new Map(preds.map((p: { id: string; probs: Record<string, number> }) => [p.id, p.probs]));
  });

  it('answers every readable image with the preprocessing stored in the checkpoint; names unreadable ones and exits non-zero', () => {
    const corrupt = path.join(images, 'corrupt.jpg');
    writeFileSync(corrupt, 'this is not a jpeg');
    const missing = path.join(images, 'missing.png');
    const r = iern(['predict', path.join(dir, 'last.ckpt'), files[0]!, corrupt, files[1]!, missing, files[2]!, '--json']);
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.predictions.map((p: { image: string }) => p.image)).toEqual([files[0], files[1], files[2]]);
    for (const p of out.predictions) {
      const id = path.basename(p.image, '.png');
      const probs = expected.get(id)!;
      expect(Object.keys(p.probabilities)).toEqual(['anger', 'happiness', 'sadness']);
      for (const [c, v] of Object.entries(probs)) expect(p.probabilities[c]).toBeCloseTo(v, 5);
      const best = Object.entries(p.probabilities as Record<string, number>).sort((a, b) => b[1] - a[1])[0]![0];
      expect(p.emotion).toBe(best);
    }
    expect(out.failures).toHaveLength(2);
    expect(out.failures[0].image).toBe(corrupt);
    expect(out.failures[0].reason).toMatch(/cannot decode image/);
    expect(out.failures[1]).toEqual({ image: missing, reason: 'file not found' });
    expect(r.stderr).toContain(`error: ${corrupt}:`);
    expect(r.stderr).toContain(`error: ${missing}: file not found`);
  });

  it('prints a readable summary without --json and exits 0 when all images are readable', () => {
    const r = iern(['predict', path.join(dir, 'best_accuracy.ckpt'), files[3]!]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${files[3]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: (anger|happiness|sadness) \\((anger|happiness|sadness) \\d+\\.\\d%`));
  });

  it('says why for a missing checkpoint or one that is not a checkpoint', () => {
    const missing = iern(['predict', path.join(dir, 'nope.ckpt'), files[0]!]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/checkpoint not found or unreadable: .*nope\.ckpt/);
    const bogus = path.join(images, 'bogus.ckpt');
    writeFileSync(bogus, Buffer.alloc(64, 1));
    const bad = iern(['predict', bogus, files[0]!]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/bogus\.ckpt: not an iern checkpoint/);
  });
});
