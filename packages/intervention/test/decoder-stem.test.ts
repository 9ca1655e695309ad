import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@iern/core';
import { FusionDecoder } from '../src/index.js';
import { useCpu } from './helpers.js';

beforeAll(useCpu);

const randn = (rng: Rng, shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape) as tf.Tensor4D;

function maxAbs(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe('FusionDecoder.stemPerRow', () => {
  it('equals g_r on [e; z_k tiled over the batch] for every row, in value and in the gradients of its conv', () => {
    const rng = new Rng(8);
    const r = new FusionDecoder(6, 1, new Rng(9));
    // A nonzero bias, so counting it once per row is checked too.
    const bias = tf.tensor1d(Array.from({ length: 6 }, () => rng.normal()));
    r.conv.bias!.assign(bias);
    bias.dispose();
    const e = randn(rng, [5, 3, 3, 6]);
    const z = randn(rng, [2, 3, 3, 6]);
    const up = randn(rng, [2, 5, 3, 3, 6]);
    const reference = () =>
      [0, 1].map((k) => r.apply(e, tf.tile(tf.slice(z, [k, 0, 0, 0], [1, 3, 3, 6]), [5, 1, 1, 1]) as tf.Tensor4D, true));
    const shared = () => r.stemPerRow(e, z).map((stem) => r.applyBlocks(stem, true));
    const loss = (f: () => tf.Tensor4D[]) => () => tf.addN(f().map((y, k) => tf.sum(tf.mul(y, tf.squeeze(tf.slice(up, [k], [1]), [0]))))) as tf.Scalar;
    const vars = [r.conv.weight, r.conv.bias!];
    const mine = tf.variableGrads(loss(shared), vars);
    const ref = tf.variableGrads(loss(reference), vars);
    expect(Math.abs(mine.value.dataSync()[0]! - ref.value.dataSync()[0]!)).toBeLessThan(1e-3);
    for (const v of vars) {
      expect(maxAbs(mine.grads[v.name]!, ref.grads[v.name]!), v.name).toBeLessThan(1e-4);
      expect(tf.tidy(() => tf.max(tf.abs(ref.grads[v.name]!)).dataSync()[0]!)).toBeGreaterThan(1e-2);
    }
    const ys = tf.tidy(() => shared());
    const refs = tf.tidy(() => reference());
    ys.forEach((y, k) => expect(maxAbs(y, refs[k]!)).toBeLessThan(1e-5));
    tf.dispose([e, z, up, ...ys, ...refs, mine.value, ref.value, ...Object.values(mine.grads), ...Object.values(ref.grads)]);
    r.dispose();
  });
});
