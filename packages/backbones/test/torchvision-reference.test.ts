import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensors, toFloat32 } from '@iern/core';
import { buildBackbone } from '@iern/backbones';
import { maxAbsDiff, useCpu } from './helpers.js';

/**
 * Compares iern's layer4 features with a reference file written by
 * `tools/compare-torchvision.py` (torchvision) or `tools/numpy-reference.py` (NumPy, no PyTorch).
 * The weights file named in the reference's metadata is read from the same folder
 * (or from IERN_TORCHVISION_WEIGHTS).
 */
async function compare(ref: string): Promise<{ diff: number; scale: number; label: string }> {
  await useCpu();
  const { tensors, metadata } = await readSafetensors(ref);
  const arch = metadata['arch'] ?? 'resnet18';
  const weights = process.env['IERN_TORCHVISION_WEIGHTS'] ?? path.join(path.dirname(ref), metadata['weights'] ?? `${arch}.safetensors`);
  const backbone = await buildBackbone({ type: arch, weights, freeze: true });
  const inp = tensors.get('input')!;
  const out = tensors.get('layer4')!;
  const x = tf.tensor4d(toFloat32(inp), inp.shape as [number, number, number, number]);
  const expected = tf.tensor4d(toFloat32(out), out.shape as [number, number, number, number]);
  const y = backbone.apply(x, false);
  expect(y.shape).toEqual(expected.shape);
  const diff = await maxAbsDiff(y, expected);
  const scale = tf.tidy(() => tf.max(tf.abs(expected))).dataSync()[0]!;
  tf.dispose([x, expected, y]);
  backbone.dispose();
  const label = `${arch} vs ${metadata['producer'] ?? 'reference'}: max |diff| ${diff.toExponential(3)}, max |ref| ${scale.toFixed(3)}`;
  console.log(label);
  return { diff, scale, label };
}

const ref = process.env['IERN_TORCHVISION_REF'];
const tools = fileURLToPath(new URL('../tools/', import.meta.url));
const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

describe('layer4 features against a PyTorch-semantics reference', () => {
  it.skipIf(!ref)('match the reference in IERN_TORCHVISION_REF to 1e-3 (torchvision weights)', async () => {
    const { diff } = await compare(ref!);
    expect(diff).toBeLessThan(1e-3);
  });

  it.skipIf(!hasNumpy)('ResNet-18 at 64x64 matches an independent NumPy (NCHW, float64) implementation to 1e-3', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'iern-npref-'));
    try {
      const r = spawnSync('python3', [path.join(tools, 'numpy-reference.py'), '--arch', 'resnet18', '--size', '64', '--batch', '1', '--out-dir', dir], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const { diff, scale } = await compare(path.join(dir, 'resnet18-ref.safetensors'));
      expect(scale).toBeGreaterThan(0.1); // a non-trivial reference
      expect(diff).toBeLessThan(1e-3);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
