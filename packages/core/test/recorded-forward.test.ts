import 'reflect-metadata';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, Rng, activateBackend, recordForward } from '@iern/core';
import { relError } from './backend/helpers.js';

/** A small residual conv net with BatchNorm in training mode, stride and a skip add. */
function makeNet(rng: Rng) {
  const c1 = new Conv2d(3, 8, { kernel: 3, stride: 2, padding: 1, bias: false }, rng);
  const bn1 = new BatchNorm2d(8);
  const c2 = new Conv2d(8, 8, { kernel: 3, padding: 1, bias: false }, rng);
  const bn2 = new BatchNorm2d(8);
  const vars = [c1, bn1, c2, bn2].flatMap((m) => m.trainableVariables());
  const apply = (x: tf.Tensor4D) =>
    tf.tidy(() => {
      const h = tf.relu(bn1.apply(c1.apply(x), true)) as tf.Tensor4D;
      return tf.relu(tf.add(h, bn2.apply(c2.apply(h), true))) as tf.Tensor4D;
    });
  return { vars, apply, dispose: () => [c1, bn1, c2, bn2].forEach((m) => m.dispose()) };
}

/** Relative error of tensors, as the kernel tests measure it. */
const maxRel = (a: tf.Tensor, b: tf.Tensor) => relError(a.dataSync() as Float32Array, b.dataSync() as Float32Array);

describe.each(['wasm', 'cpu'])('recordForward on %s', (backend) => {
  beforeAll(async () => {
    await activateBackend(backend);
  });

  it('replaying the recorded forward gives the same loss and gradients as running it inside the loss', async () => {
    const rng = new Rng(11);
    const net = makeNet(rng);
    const x = tf.randomNormal([4, 9, 9, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const head = tf.variable(tf.randomNormal([8, 5], 0, 0.3, 'float32', 4), true, `head-${backend}`);
    const loss = (y: tf.Tensor4D) => tf.sum(tf.square(tf.matMul(tf.mean(y, [1, 2]) as tf.Tensor2D, head))) as tf.Scalar;
    const all = [...net.vars, head];

    const ref = tf.variableGrads(() => loss(net.apply(x)), all);
    const before = tf.memory().numTensors;
    const rec = recordForward(() => net.apply(x), net.vars);
    // other gradient computations in between (as IERN's critic and feature steps) must not disturb the record
    const other = tf.variableGrads(() => tf.sum(tf.square(head)) as tf.Scalar, [head]);
    tf.dispose([other.value, ...Object.values(other.grads)]);
    await tf.nextFrame();
    const mine = tf.variableGrads(() => loss(rec.replay()), all);

    expect(maxRel(mine.value, ref.value)).toBeLessThan(1e-6);
    for (const v of all) {
      expect(mine.grads[v.name], v.name).toBeDefined();
      expect(maxRel(mine.grads[v.name]!, ref.grads[v.name]!), v.name).toBeLessThan(1e-5);
      expect(Math.max(...Array.from(ref.grads[v.name]!.dataSync(), Math.abs)), v.name).toBeGreaterThan(1e-4);
    }
    tf.dispose([mine.value, ...Object.values(mine.grads)]);
    rec.dispose();
    // the record's output and every saved activation are freed
    expect(tf.memory().numTensors).toBe(before);
    expect(() => rec.replay()).toThrow(/after dispose/);
    tf.dispose([ref.value, ...Object.values(ref.grads), x, head]);
    net.dispose();
  });

  it('refuses to record inside a gradient computation', () => {
    const v = tf.variable(tf.ones([2]), true, `rf-v-${backend}`);
    expect(() => tf.variableGrads(() => tf.sum(recordForward(() => tf.mul(v, 2), [v]).output) as tf.Scalar, [v])).toThrow(/inside a gradient/);
    v.dispose();
  });
});
