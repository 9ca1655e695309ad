import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { saveWeights, serializeSafetensors, writeSafetensors, type TensorData } from '@iern/core';
import { ResNet, buildBackbone, importWeights } from '@iern/backbones';
import { fixedInput, maxAbsDiff, torchStateDict, useCpu } from './helpers.js';

let dir: string;
let source: ResNet;
let torchFile: string;
let state: Map<string, TensorData>;

beforeAll(async () => {
  await useCpu();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'iern-wi-'));
  source = new ResNet({ arch: 'resnet18', inputChannels: 3, freeze: false, normalization: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }, seed: 11 });
  // make BN buffers non-trivial so a mix-up of running_mean/var or weight/bias shows
  const x = fixedInput([2, 32, 32, 3]) as tf.Tensor4D;
  source.apply(x, true).dispose();
  x.dispose();
  // a torchvision-style state dict: OIHW convs, fc, num_batches_tracked (I64 in the real file)
  state = torchStateDict(source.namedVariables());
  state.set('fc.weight', { shape: [1000, 512], data: new Float32Array(512_000) });
  state.set('fc.bias', { shape: [1000], data: new Float32Array(1000) });
  state.set('bn1.num_batches_tracked', { shape: [], data: new Float32Array([1]) });
  torchFile = path.join(dir, 'resnet18.safetensors');
  await writeSafetensors(torchFile, state);
});
afterAll(async () => {
  source.dispose();
  await fs.rm(dir, { recursive: true, force: true });
});

async function writeVariant(name: string, edit: (m: Map<string, TensorData>) => void): Promise<string> {
  const m = new Map(state);
  edit(m);
  const file = path.join(dir, name);
  await fs.writeFile(file, serializeSafetensors(m));
  return file;
}

describe('torchvision weight import', () => {
  it('a ResNet-18 written in PyTorch layout loads through buildBackbone and gives identical outputs', async () => {
    const loaded = await buildBackbone({ type: 'resnet18', weights: torchFile, normalization: 'half', seed: 99 });
    const x = fixedInput([1, 64, 64, 3]) as tf.Tensor4D;
    const a = source.apply(x, false);
    const b = loaded.apply(x, false);
    expect(await maxAbsDiff(a, b)).toBe(0);
    tf.dispose([a, b]);
    // weightsKey follows the values, not the seed
    expect(loaded.weightsKey()).toBe(source.weightsKey());
    x.dispose();
    loaded.dispose();
  });

  it('a wrong shape, a missing and an unexpected tensor are each named in one error; nothing is assigned', async () => {
    const file = await writeVariant('broken.safetensors', (m) => {
      m.set('layer3.1.conv2.weight', { shape: [256, 256, 3, 1], data: new Float32Array(256 * 256 * 3) });
      m.delete('layer2.0.downsample.1.running_var');
      m.set('layer5.0.conv1.weight', { shape: [1], data: new Float32Array(1) });
    });
    const target = new ResNet({ arch: 'resnet18', inputChannels: 3, freeze: false, normalization: { mean: [0, 0, 0], std: [1, 1, 1] }, seed: 5 });
    const before = target.weightsKey();
    const err = String(await target.loadWeights(file).catch((e: Error) => e));
    expect(err).toMatch(/broken\.safetensors/);
    expect(err).toMatch(/missing 1: layer2\.0\.downsample\.1\.running_var/);
    expect(err).toMatch(/unexpected 1: layer5\.0\.conv1\.weight/);
    expect(err).toMatch(/wrong shape 1: layer3\.1\.conv2\.weight: file \[256, 256, 3, 1\]/);
    expect(target.weightsKey()).toBe(before);
    target.dispose();
    // the same through the config path
    await expect(buildBackbone({ type: 'resnet18', weights: file })).rejects.toThrow(/layer2\.0\.downsample\.1\.running_var/);
  });

  it('ResNet-18 weights do not load into ResNet-34 (missing blocks are listed)', async () => {
    await expect(buildBackbone({ type: 'resnet34', weights: torchFile })).rejects.toThrow(/missing \d+: .*layer1\.2\.conv1\.weight/);
  });

  it('iern weights (saveWeights, HWIO) load without transposing; DataParallel prefix is stripped', async () => {
    const own = path.join(dir, 'own.safetensors');
    await saveWeights(source.namedVariables(), own);
    const a = await buildBackbone({ type: 'resnet18', weights: own });
    expect(a.weightsKey()).toBe(source.weightsKey());
    a.dispose();
    const dp = path.join(dir, 'dp.safetensors');
    await fs.writeFile(dp, serializeSafetensors(new Map([...state].map(([k, v]) => [`module.${k}`, v]))));
    const b = new ResNet({ arch: 'resnet18', inputChannels: 3, freeze: true, normalization: { mean: [0, 0, 0], std: [1, 1, 1] }, seed: 1 });
    const rep = await importWeights(b.namedVariables(), dp);
    expect(rep.layout).toBe('torch');
    expect(rep.ignored.sort()).toEqual(['bn1.num_batches_tracked', 'fc.bias', 'fc.weight']);
    expect(b.weightsKey()).toBe(source.weightsKey());
    b.dispose();
  });

  it('small backbones take a weights option too (iern files)', async () => {
    const a = await buildBackbone({ type: 'small-resnet', channels: [8], seed: 1 });
    const file = path.join(dir, 'small-resnet.safetensors');
    await saveWeights(a.namedVariables(), file);
    const b = await buildBackbone({ type: 'small-resnet', channels: [8], seed: 2, weights: file });
    expect(b.weightsKey()).toBe(a.weightsKey());
    await expect(buildBackbone({ type: 'small-cnn', weights: file })).rejects.toThrow(/small-resnet\.safetensors: weights do not match the model; missing \d+: stage0\.conv0\.weight/);
    a.dispose();
    b.dispose();
  });

  it('a 3-channel stem loads into a 1-channel model by summing over RGB', async () => {
    const grey = await buildBackbone({ type: 'resnet18', weights: torchFile, inputChannels: 1 });
    const x1 = fixedInput([1, 32, 32, 1]) as tf.Tensor4D;
    const x3 = tf.tile(x1, [1, 1, 1, 3]) as tf.Tensor4D;
    const a = grey.apply(x1, false);
    const b = source.apply(x3, false);
    expect(await maxAbsDiff(a, b)).toBeLessThan(1e-4);
    tf.dispose([x1, x3, a, b]);
    grey.dispose();
  });
});
