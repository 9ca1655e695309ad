import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { installFastCpuConv, uninstallFastCpuConv } from './fast-cpu-conv.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Filter gradient of sum(conv(x, w) * g) w.r.t. w. */
function filterGrad(x: tf.Tensor4D, w: tf.Tensor4D, g: tf.Tensor4D, stride: number, pad: 'same' | 'valid'): Float32Array {
  return tf.tidy(() => tf.grad((ww: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, ww as tf.Tensor4D, stride, pad), g)))(w)).dataSync() as Float32Array;
}

describe('fast cpu Conv2DBackpropFilter (test helper)', () => {
  it.each([
    [1, 'same', 3, [2, 5, 5, 3], 4],
    [2, 'same', 4, [3, 7, 6, 2], 5],
    [2, 'valid', 3, [2, 8, 8, 4], 3],
    [1, 'valid', 1, [2, 4, 4, 6], 2],
  ] as const)('matches the stock kernel (stride %i, %s, k%i)', (stride, pad, k, shape, co) => {
    const x = tf.randomNormal([...shape], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([k, k, shape[3], co], 0, 1, 'float32', 2) as tf.Tensor4D;
    const outShape = tf.conv2d(x, w, stride, pad).shape;
    const g = tf.randomNormal(outShape, 0, 1, 'float32', 3) as tf.Tensor4D;
    uninstallFastCpuConv();
    const ref = filterGrad(x, w, g, stride, pad);
    installFastCpuConv();
    const fast = filterGrad(x, w, g, stride, pad);
    expect(fast.length).toBe(ref.length);
    for (let i = 0; i < ref.length; i++) expect(fast[i]).toBeCloseTo(ref[i]!, 4);
    tf.dispose([x, w, g]);
  });
});
