import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { buildBackbone } from '@iern/backbones';
import { fixedInput, useCpu } from './helpers.js';

beforeAll(useCpu);

// ResNet-18 itself is too slow to backpropagate on the cpu backend for a unit test (minutes);
// small-resnet is built from the same torchvision BasicBlock and BatchNorm code.
describe('fine-tuning a residual backbone', () => {
  it('every trainable variable gets a finite gradient, SGD lowers the loss, the tensor count is flat', async () => {
    const net = await buildBackbone({ type: 'small-resnet', channels: [8, 16], stem: 8, seed: 2 });
    const vars = net.trainableVariables();
    const x = fixedInput([2, 16, 16, 3]) as tf.Tensor4D;
    const target = tf.tensor2d([[1], [-1]]);
    const opt = tf.train.sgd(0.02);
    // a scalar readout of the pooled features, regressed to a target
    const loss = () => tf.tidy(() => tf.losses.meanSquaredError(target, tf.mean(net.apply(x, true), [1, 2, 3]).reshape([2, 1])) as tf.Scalar);
    const { value, grads } = tf.variableGrads(loss, vars);
    expect(Object.keys(grads).length).toBe(vars.length);
    const norms = tf.tidy(() => tf.stack(Object.values(grads).map((g) => tf.norm(g))).dataSync());
    expect(Array.from(norms).every((n) => Number.isFinite(n))).toBe(true);
    expect(Array.from(norms).filter((n) => n > 0).length).toBeGreaterThan(vars.length * 0.9);
    const first = value.dataSync()[0]!;
    tf.dispose([value, ...Object.values(grads)]);
    const counts: number[] = [];
    let last = first;
    for (let i = 0; i < 6; i++) {
      const l = opt.minimize(loss, true, vars)!;
      last = l.dataSync()[0]!;
      l.dispose();
      counts.push(tf.memory().numTensors);
    }
    expect(last).toBeLessThan(first);
    expect(new Set(counts).size).toBe(1); // SGD has no slots; flat from the first step
    tf.dispose([x, target]);
    opt.dispose();
    net.dispose();
  });
});
