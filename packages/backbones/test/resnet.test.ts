import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, type Backbone } from '@iern/core';
import { ResNet, buildBackbone, NORMALIZATIONS } from '@iern/backbones';
import { fixedInput, useCpu } from './helpers.js';

let r18: Backbone;
beforeAll(async () => {
  await useCpu();
  r18 = await buildBackbone({ type: 'resnet18' });
});
afterAll(() => r18.dispose());

describe('ResNet topology', () => {
  it('ResNet-18 has exactly torchvision state-dict names (minus fc and num_batches_tracked)', () => {
    const names = [...r18.namedVariables().keys()];
    expect(names.length).toBe(100);
    for (const n of [
      'conv1.weight', 'bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var',
      'layer1.0.conv1.weight', 'layer1.1.bn2.running_var',
      'layer2.0.conv1.weight', 'layer2.0.downsample.0.weight', 'layer2.0.downsample.1.weight', 'layer2.0.downsample.1.running_mean',
      'layer4.1.conv2.weight', 'layer4.1.bn2.bias',
    ]) expect(names).toContain(n);
    expect(names).not.toContain('layer1.0.downsample.0.weight');
    const shapes = r18.namedVariables();
    expect(shapes.get('conv1.weight')!.shape).toEqual([7, 7, 3, 64]);
    expect(shapes.get('layer2.0.downsample.0.weight')!.shape).toEqual([1, 1, 64, 128]);
    expect(shapes.get('layer4.1.conv2.weight')!.shape).toEqual([3, 3, 512, 512]);
    // torchvision resnet18 has 11,689,512 parameters of which fc is 513,000
    const params = r18.trainableVariables().reduce((a, v) => a + v.size, 0);
    expect(params).toBe(11_689_512 - 513_000);
  });

  it('ResNet-34 and ResNet-50 parameter counts match torchvision (without fc)', async () => {
    const r34 = await buildBackbone({ type: 'resnet34' });
    expect(r34.trainableVariables().reduce((a, v) => a + v.size, 0)).toBe(21_797_672 - 513_000);
    expect(r34.outputChannels).toBe(512);
    r34.dispose();
    const r50 = (await buildBackbone({ type: 'resnet50' })) as ResNet;
    expect(r50.trainableVariables().reduce((a, v) => a + v.size, 0)).toBe(25_557_032 - 2_049_000);
    const n = r50.namedVariables();
    // v1.5: the stride sits on the 3x3 conv; downsample is 1x1 to 4x planes
    expect(n.get('layer2.0.conv2.weight')!.shape).toEqual([3, 3, 128, 128]);
    expect(n.get('layer2.0.conv3.weight')!.shape).toEqual([1, 1, 128, 512]);
    expect(n.get('layer1.0.downsample.0.weight')!.shape).toEqual([1, 1, 64, 256]);
    expect(r50.outputChannels).toBe(2048);
    expect(r50.reductionFactor).toBe(32);
    const y = tf.tidy(() => r50.apply(fixedInput([1, 64, 64, 3]) as tf.Tensor4D, false));
    expect(y.shape).toEqual([1, 2, 2, 2048]);
    y.dispose();
    r50.dispose();
  });

  it('ResNet-18 output is the layer4 map: 64x64 -> 2x2x512, 112x112 -> 4x4x512 (PyTorch rounding)', () => {
    expect(r18.outputChannels).toBe(512);
    expect(r18.reductionFactor).toBe(32);
    const before = tf.memory().numTensors;
    const a = tf.tidy(() => r18.apply(fixedInput([2, 64, 64, 3]) as tf.Tensor4D, false));
    const b = tf.tidy(() => r18.apply(fixedInput([1, 112, 112, 3]) as tf.Tensor4D, false));
    expect(a.shape).toEqual([2, 2, 2, 512]);
    expect(b.shape).toEqual([1, 4, 4, 512]);
    tf.dispose([a, b]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('max pool pads like PyTorch (padding never wins)', () => {
    const y = tf.tidy(() => tf.maxPool(tf.fill([1, 4, 4, 1], -1) as tf.Tensor4D, 3, 2, 1));
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(y.dataSync())).toEqual([-1, -1, -1, -1]);
    y.dispose();
    // the gradient goes to each window's max inside the image (windows start at -1: rows/cols {-1,0,1} and {1,2,3})
    const x = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i), [1, 4, 4, 1]);
    const g = tf.grad((t: tf.Tensor4D) => tf.sum(tf.maxPool(t, 3, 2, 1)))(x);
    const expected = new Array(16).fill(0);
    for (const i of [5, 7, 13, 15]) expected[i] = 1;
    expect(Array.from(g.dataSync())).toEqual(expected);
    tf.dispose([x, g]);
  });

  it('options: normalization presets, inputChannels, strict keys', async () => {
    const half = await buildBackbone({ type: 'resnet18', normalization: 'half', inputChannels: 1, freeze: true });
    expect(half.normalization).toEqual(NORMALIZATIONS.half);
    expect(half.namedVariables().get('conv1.weight')!.shape).toEqual([7, 7, 1, 64]);
    half.dispose();
    expect(r18.normalization).toEqual(NORMALIZATIONS.imagenet);
    await expect(buildBackbone({ type: 'resnet18', weigths: 'x' })).rejects.toThrow(/backbone.*weigths/);
    await expect(buildBackbone({ type: 'resnet19' })).rejects.toThrow(/unknown backbone type 'resnet19'.*resnet18/);
  });

  it('frozen: no trainable variables, BatchNorm stays in eval mode and its stats do not move', async () => {
    const f = await buildBackbone({ type: 'resnet18', freeze: true });
    expect(f.frozen).toBe(true);
    expect(f.trainableVariables()).toEqual([]);
    const rm = f.namedVariables().get('bn1.running_mean')!;
    const x = fixedInput([2, 32, 32, 3]) as tf.Tensor4D;
    const yEval = f.apply(x, false);
    const yTrain = f.apply(x, true);
    expect(Array.from(yTrain.dataSync())).toEqual(Array.from(yEval.dataSync()));
    expect(Array.from(rm.dataSync()).every((v) => v === 0)).toBe(true);
    tf.dispose([x, yEval, yTrain]);
    f.dispose();
  });

  it('train mode updates running stats; tensor count stays flat across steps', () => {
    const rm = r18.namedVariables().get('layer4.1.bn2.running_mean')!;
    const x = fixedInput([2, 32, 32, 3]) as tf.Tensor4D;
    r18.apply(x, true).dispose();
    const n0 = tf.memory().numTensors;
    r18.apply(x, true).dispose();
    r18.apply(x, true).dispose();
    expect(tf.memory().numTensors).toBe(n0);
    expect(Array.from(rm.dataSync()).some((v) => v !== 0)).toBe(true);
    x.dispose();
  });
});

describe('small backbones', () => {
  it('small-resnet and small-cnn build from the registry with their documented shapes', async () => {
    const sr = await buildBackbone({ type: 'small-resnet', channels: [8, 16], stem: 4 });
    expect(sr.reductionFactor).toBe(4);
    expect(sr.outputChannels).toBe(16);
    expect(sr.namedVariables().has('layer1.0.downsample.0.weight')).toBe(true);
    const y = tf.tidy(() => sr.apply(fixedInput([2, 16, 16, 3]) as tf.Tensor4D, true));
    expect(y.shape).toEqual([2, 4, 4, 16]);
    y.dispose();
    const sc = await buildBackbone({ type: 'small-cnn', channels: [4, 8], freeze: true });
    expect(sc.trainableVariables()).toEqual([]);
    const k1 = sc.weightsKey();
    sc.namedVariables().get('stage0.conv0.weight')!.assign(tf.zeros([3, 3, 3, 4]));
    expect(sc.weightsKey()).not.toBe(k1);
    sr.dispose();
    sc.dispose();
  });

  it('a wrong channel count is a clear error, not a kernel crash', () => {
    const x = fixedInput([1, 32, 32, 1]) as tf.Tensor4D;
    expect(() => r18.apply(x, false)).toThrow(/resnet18: expected NHWC input with 3 channels, got shape \[1, 32, 32, 1\]/);
    x.dispose();
  });
});

describe('BatchNorm2d train mode matches PyTorch on a hand example', () => {
  it('normalises with the biased batch variance and updates running stats with momentum 0.1 and the unbiased variance', () => {
    // one channel, values 1, 2, 3, 6 over N*H*W = 4: mean 3, biased var 3.5, unbiased var 14/3
    const bn = new BatchNorm2d(1);
    const x = tf.tensor4d([1, 2, 3, 6], [1, 2, 2, 1]);
    const y = bn.apply(x, true);
    const expected = [1, 2, 3, 6].map((v) => (v - 3) / Math.sqrt(3.5 + 1e-5));
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    // PyTorch: running = (1 - 0.1) * running + 0.1 * batch_stat
    expect(bn.runningMean.dataSync()[0]).toBeCloseTo(0.9 * 0 + 0.1 * 3, 6);
    expect(bn.runningVar.dataSync()[0]).toBeCloseTo(0.9 * 1 + 0.1 * (14 / 3), 6);
    bn.apply(x, true).dispose();
    expect(bn.runningMean.dataSync()[0]).toBeCloseTo(0.9 * 0.3 + 0.1 * 3, 6);
    const e = bn.apply(x, false);
    const rmean = bn.runningMean.dataSync()[0]!;
    const rvar = bn.runningVar.dataSync()[0]!;
    expect(e.dataSync()[0]).toBeCloseTo((1 - rmean) / Math.sqrt(rvar + 1e-5), 5);
    tf.dispose([x, y, e]);
    bn.dispose();
  });
});
