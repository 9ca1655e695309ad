import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, Rng, activateBackend } from '@iern/core';

const randn = (rng: Rng, shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);

function maxAbs(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i]! - y[i]!));
  return d;
}

describe.each(['wasm', 'cpu'])('Conv2d with numeric padding on %s', (backend) => {
  beforeAll(async () => {
    await activateBackend(backend);
  });

  // (kernel, stride, padding, dilation, input size): the ResNet stem, 3x3 blocks, a strided 3x3 on an odd map, 5x5 (tfjs has no gradient for dilated convs).
  it.each([
    [7, 2, 3, 1, 15],
    [3, 1, 1, 1, 8],
    [3, 2, 1, 1, 9],
    [5, 1, 2, 1, 6],
  ])('k%i s%i p%i d%i on %i px: output and gradients equal an explicit tf.pad + valid conv', (kernel, stride, padding, dilation, size) => {
    const rng = new Rng(kernel * 10 + stride);
    const conv = new Conv2d(3, 4, { kernel, stride, padding, dilation, bias: true }, rng);
    const x = randn(rng, [2, size, size, 3]);
    const reference = (xs: tf.Tensor) =>
      tf.add(tf.conv2d(tf.pad(xs as tf.Tensor4D, [[0, 0], [padding, padding], [padding, padding], [0, 0]]), conv.weight as tf.Tensor4D, stride, 'valid', 'NHWC', dilation), conv.bias!);
    const y = conv.apply(x as tf.Tensor4D);
    const yRef = tf.tidy(() => reference(x));
    expect(maxAbs(y, yRef)).toBeLessThan(1e-4);
    const r = randn(rng, y.shape);
    const loss = (f: (xs: tf.Tensor) => tf.Tensor) => () => tf.sum(tf.mul(f(x), r)) as tf.Scalar;
    const mine = tf.variableGrads(loss((xs) => conv.apply(xs as tf.Tensor4D)), [conv.weight]);
    const ref = tf.variableGrads(loss(reference), [conv.weight]);
    const name = conv.weight.name;
    expect(maxAbs(mine.grads[name]!, ref.grads[name]!)).toBeLessThan(1e-3);
    const dx = tf.grad((xs: tf.Tensor) => tf.sum(tf.mul(conv.apply(xs as tf.Tensor4D), r)))(x);
    const dxRef = tf.grad((xs: tf.Tensor) => tf.sum(tf.mul(reference(xs), r)))(x);
    expect(maxAbs(dx, dxRef)).toBeLessThan(1e-4);
    tf.dispose([x, y, yRef, r, dx, dxRef, mine.value, ref.value, ...Object.values(mine.grads), ...Object.values(ref.grads)]);
    conv.dispose();
  });
});
