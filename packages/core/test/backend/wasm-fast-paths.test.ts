import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, wasmFastPaths } from '@iern/core';
import { expectSame, initBackends, randn } from './helpers.js';

describe('wasm fast paths (Sum/Mean over leading axes, broadcast Tile, transposed MatMul) vs cpu', () => {
  const rng = new Rng(21);
  beforeAll(initBackends);

  it('are registered with a fallback to the stock kernel', () => {
    expect(wasmFastPaths.map((f) => f.name).sort()).toEqual(['BatchMatMul', 'Cast', 'Identity', 'MaxPoolGrad', 'Mean', 'Slice', 'Sum', 'Tile']);
  });

  it('Cast to the dtype a tensor already has shares its data; other casts convert', async () => {
    const x = randn(rng, [3, 5]);
    const err = await expectSame([x], (xt) => [tf.cast(xt!, 'float32'), tf.cast(tf.mul(xt!, 3), 'int32'), tf.cast(tf.cast(tf.mul(xt!, 3), 'int32'), 'float32')]);
    expect(err).toBe(0);
    await tf.setBackend('wasm');
    const t = tf.tensor(x.values, x.shape);
    const before = tf.engine().backend.numDataIds();
    const same = tf.cast(t, 'float32');
    expect(tf.engine().backend.numDataIds()).toBe(before);
    const other = tf.cast(t, 'int32');
    expect(tf.engine().backend.numDataIds()).toBe(before + 1);
    tf.dispose([t, same, other]);
  });

  it.each([
    [[4, 6, 5, 3], [1, 2, 1, 0], [2, 3, 4, 3]],
    [[4, 6, 5, 3], [0, 1, 0, 0], [4, 4, 5, 3]],
    [[4, 6, 5, 3], [2, 0, 0, 0], [1, 6, 5, 3]],
    [[4, 6, 5, 3], [0, 0, 0, 1], [4, 6, 5, 1]],
    [[7], [2], [4]],
    [[3, 2, 4, 2, 5], [1, 0, 1, 1, 2], [2, 2, 2, 1, 3]],
    [[3, 4], [0, 0], [0, 4]],
  ])('slice %j from %j size %j', async (shape, begin, size) => {
    const x = randn(rng, shape);
    const err = await expectSame([x], (xt) => [tf.slice(xt!, begin, size), tf.slice(tf.cast(xt!, 'int32'), begin, size)]);
    expect(err).toBe(0);
  });

  it.each([
    [[2, 9, 9, 5], 3, 2, 1],
    [[1, 8, 7, 3], 2, 2, 'valid'],
    [[2, 7, 6, 4], 3, 1, 'same'],
    [[1, 10, 9, 6], 3, 2, 'same'],
  ] as const)('maxPool gradient %j filter %s stride %s pad %s (with ties)', async (shape, f, s, pad) => {
    const x = randn(rng, [...shape]);
    // ReLU-like ties: a third of the inputs are exactly 0, some windows all 0.
    for (let i = 0; i < x.values.length; i++) if (i % 3 === 0 || x.values[i]! < -0.8) x.values[i] = 0;
    const probe = randn(rng, tf.backend_util.computePool2DInfo([...shape] as [number, number, number, number], f, s, 1, pad).outShape);
    const err = await expectSame([x, probe], (xt, pt) => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, f, s, pad), pt!)))(xt!));
    expect(err).toBeLessThan(1e-6); // overlapping windows: float sums in another order
  });

  it('identity shares data: a clone outlives its source, and memory is freed with the last', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numBytes;
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.clone(a);
    const d = tf.tensor1d([4, 5], 'int32');
    const c = tf.clone(d);
    tf.dispose([a, d]);
    expect(Array.from(await b.data())).toEqual([1, 2, 3]);
    expect(c.dtype).toBe('int32');
    expect(Array.from(await c.data())).toEqual([4, 5]);
    tf.dispose([b, c]);
    expect(tf.memory().numBytes).toBe(before);
  });

  it.each([
    [[64, 80], [80, 96], false, false],
    [[80, 64], [80, 96], true, false],
    [[64, 80], [96, 80], false, true],
    [[1, 80, 64], [1, 96, 80], true, true],
    [[3, 8, 9], [3, 10, 9], false, true], // batched: stock kernel
    [[2, 80, 64], [80, 96], true, false], // batched (broadcast): stock kernel
    [[9, 20], [4, 20], false, true], // tiny: stock kernel
  ] as const)('matMul %j x %j transposeA %s transposeB %s', async (sa, sb, ta, tb) => {
    const a = randn(rng, [...sa]);
    const b = randn(rng, [...sb]);
    const err = await expectSame([a, b], (at, bt) => tf.matMul(at!, bt!, ta, tb));
    expect(err).toBeLessThan(1e-5);
  });

  it.each([
    [[0, 1, 2], false],
    [[0, 1, 2], true],
    [[0], false],
    [[0, 1, 2, 3], false],
    [[1, 2], false], // not leading: stock kernel
    [[3], true], // not leading: stock kernel
  ] as const)('sum and mean over axes %j keepDims %s', async (axes, keepDims) => {
    const x = randn(rng, [3, 5, 4, 6]);
    const err = await expectSame([x], (xt) => [tf.sum(xt!, [...axes], keepDims), tf.mean(xt!, [...axes], keepDims)]);
    expect(err).toBeLessThan(1e-5);
  });

  it('int32 sums still work (stock kernel)', async () => {
    await tf.setBackend('wasm');
    const s = tf.sum(tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32'), 0);
    expect(Array.from(await s.data())).toEqual([4, 6]);
    s.dispose();
  });

  it.each([
    [[1, 1, 1, 6], [3, 5, 4, 1]],
    [[2, 1, 3], [1, 4, 1]],
    [[2, 3], [3, 2]], // a real tile: stock kernel
  ])('tile %j by %j', async (shape, reps) => {
    const x = randn(rng, shape);
    const err = await expectSame([x], (xt) => tf.tile(xt!, reps));
    expect(err).toBe(0);
  });

  it('batchNorm gradients (which use these paths) still match', async () => {
    const x = randn(rng, [4, 6, 6, 5]);
    const probe = randn(rng, [4, 6, 6, 5]);
    const err = await expectSame([x, probe], (xt, pt) =>
      tf.grad((a: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        return tf.sum(tf.mul(tf.batchNorm(a, mean, variance, tf.zeros([5]), tf.ones([5]), 1e-3), pt!));
      })(xt!),
    );
    expect(err).toBeLessThan(1e-4);
  });
});
