import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { saveWeights, writeSafetensors } from '@iern/core';
import { buildBackbone } from '@iern/backbones';
import { useCpu } from './helpers.js';
import { checkWeights, formatWeightsSummary, inspectWeights, register } from '../../../apps/runner/src/commands/weights.js';

let dir: string;
let file: string;
beforeAll(async () => {
  await useCpu();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'iern-inspect-'));
  file = path.join(dir, 'tiny.safetensors');
  await writeSafetensors(file, {
    'conv1.weight': { shape: [4, 3, 3, 3], data: new Float32Array(108) },
    'bn1.weight': { shape: [4], data: new Float32Array(4) },
    'bn1.running_mean': { shape: [4], data: new Float32Array(4) },
    'fc.weight': { shape: [2, 4], data: new Float32Array(8) },
  }, { format: 'pt' });
});
afterAll(async () => fs.rm(dir, { recursive: true, force: true }));

describe('iern weights inspect', () => {
  it('lists names, dtypes, shapes and the parameter total (BatchNorm buffers excluded)', async () => {
    const s = await inspectWeights(file);
    expect(s.tensors.map((t) => t.name)).toEqual(['bn1.running_mean', 'bn1.weight', 'conv1.weight', 'fc.weight']);
    expect(s.parameters).toBe(108 + 4 + 8);
    expect(s.totalElements).toBe(124);
    const text = formatWeightsSummary(s);
    expect(text).toMatch(/conv1\.weight\s+F32\s+\[4, 3, 3, 3\]/);
    expect(text).toMatch(/metadata: format=pt/);
    expect(text).toMatch(/total parameters: 120 \(all elements incl\. BatchNorm buffers: 124\)/);
  });

  it('runs as a commander sub-command; a bad file is one clear error line with exit code 1', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const w1 = vi.spyOn(process.stdout, 'write').mockImplementation((c) => (out.push(String(c)), true));
    const w2 = vi.spyOn(process.stderr, 'write').mockImplementation((c) => (err.push(String(c)), true));
    try {
      const program = new Command().exitOverride();
      register(program);
      await program.parseAsync(['node', 'iern', 'weights', 'inspect', file]);
      await program.parseAsync(['node', 'iern', 'weights', 'inspect', path.join(dir, 'missing.safetensors')]);
    } finally {
      w1.mockRestore();
      w2.mockRestore();
    }
    expect(out.join('')).toMatch(/tiny\.safetensors: 4 tensors/);
    expect(err.join('')).toMatch(/^error: .*missing\.safetensors: cannot open \(ENOENT\)/);
    expect(process.exitCode).toBe(1);
    process.exitCode = 0;
  });

  it('--check dry-runs the import into a backbone type', async () => {
    const own = path.join(dir, 'small.safetensors');
    const net = await buildBackbone({ type: 'small-cnn' });
    await saveWeights(net.namedVariables(), own);
    net.dispose();
    expect(await checkWeights(own, 'small-cnn')).toBe('check against small-cnn: ok, 15 tensors loaded (iern layout)\n');
    await expect(checkWeights(file, 'resnet18')).rejects.toThrow(/tiny\.safetensors: weights do not match the model; missing \d+: .*layer1\.0\.conv1\.weight.*wrong shape 3: .*conv1\.weight: file \[4, 3, 3, 3\]/);
  });
});
