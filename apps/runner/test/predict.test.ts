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

  it('predicting leaks no tensors and dispose frees the model', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    const { MemoryLogger } = await import('@iern/core');
    const { loadModel } = await import('../src/predict/load-model.js');
    const { predictImages } = await import('../src/predict/predict-images.js');
    const before = tf.memory().numTensors;
    const model = await loadModel(path.join(dir, 'last.ckpt'), new MemoryLogger());
    const loaded = tf.memory().numTensors;
    const a = await predictImages(model, files, 3);
    expect(tf.memory().numTensors).toBe(loaded);
    const b = await predictImages(model, files.slice().reverse(), 2);
    expect(tf.memory().numTensors).toBe(loaded);
    expect(b.predictions.map((p) => p.image)).toEqual(files.slice().reverse());
    expect(b.predictions.find((p) => p.image === files[0])!.probabilities).toEqual(a.predictions[0]!.probabilities);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('says why for a missing checkpoint or one that is not a checkpoint', async () => {
    const { MemoryLogger } = await import('@iern/core');
    const { loadModel } = await import('../src/predict/load-model.js');
    await expect(loadModel(path.join(dir, 'nope.ckpt'), new MemoryLogger())).rejects.toThrow(/checkpoint not found or unreadable: .*nope\.ckpt \(no such file\)/);
    const bogus = path.join(images, 'bogus.ckpt');
    writeFileSync(bogus, Buffer.alloc(64, 1));
    await expect(loadModel(bogus, new MemoryLogger())).rejects.toThrow(/bogus\.ckpt: not an iern checkpoint/);
  });
});

describe('plugin strategy with strata and state', () => {
  it('resume restores the strategy state; predict rebuilds the plugin strategy and prints per-stratum logits', async () => {
    const { readCheckpointMeta } = await import('@iern/core');
    const { FIXTURES } = await import('./cli-helpers.js');
    const cfg = path.join(FIXTURES, 'strata-probe.yaml');
    const dir = tempDir('strata');
    const first = iern(['train', cfg, 'train.epochs=1', '--work-dir', dir]);
    expect(first.code, first.stderr).toBe(0);
    expect((await readCheckpointMeta(path.join(dir, 'last.ckpt'))).extra['strategyState']).toEqual({ epochsSeen: 1 });
    const second = iern(['train', cfg, 'train.epochs=2', '--resume', path.join(dir, 'last.ckpt')]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`work dir: ${dir}`);
    const meta = await readCheckpointMeta(path.join(dir, 'last.ckpt'));
    expect(meta.epoch).toBe(2);
    expect(meta.extra['strategyState'], 'state restored (1) then one more epoch').toEqual({ epochsSeen: 2 });

    const img = path.join(tempDir('img'), 'x.png');
    await sharp({ create: { width: 20, height: 12, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toFile(img);
    const r = iern(['predict', path.join(dir, 'last.ckpt'), img, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout).predictions[0];
    expect(Object.keys(p.perStratumLogits)).toEqual(['even', 'odd']);
    for (const c of ['anger', 'happiness', 'sadness']) expect(p.perStratumLogits.odd[c] - p.perStratumLogits.even[c]).toBeCloseTo(1, 5);
    const text = iern(['predict', path.join(dir, 'last.ckpt'), img]);
    expect(text.stdout).toMatch(/\n  stratum odd: anger -?\d+\.\d{3}, happiness/);
  });
});
