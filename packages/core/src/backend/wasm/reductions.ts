import * as tf from '@tensorflow/tfjs-core';
import { withCalls } from './kernel-util.js';

/**
 * Sum/Mean over leading axes (BatchNorm statistics and gradients reduce NHWC over N,H,W) as one
 * matrix product x[M,R]^T @ ones[M,1] (XNNPACK GEMM): several times faster than the stock
 * reduction, which transposes first. Anything else goes to the stock kernel.
 */
export function leadingReduction(kind: 'Sum' | 'Mean', stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const x = (inputs as { x: tf.TensorInfo }).x;
    const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return stock(args);
    const m = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
    const restShape = x.shape.slice(axes.length);
    const r = tf.util.sizeFromShape(restShape);
    if (m < 2) return stock(args);
    const outShape = keepDims ? [...axes.map(() => 1), ...restShape] : restShape;
    return withCalls(backend, (k) => {
      // x as the (unpacked) left operand: XNNPACK repacks the right one on every new tensor.
      const ones = k.fill([1, m, 1], kind === 'Mean' ? 1 / m : 1);
      const prod = k.run('BatchMatMul', { a: k.reshape(x, [1, m, r]), b: ones }, { transposeA: true, transposeB: false });
      return k.reshape(prod, outShape);
    });
  };
}

/**
 * Tile where every repeated axis has size 1 (a broadcast: BatchNorm's gradient tiles [1,1,1,C]
 * to [N,H,W,C]) as x + zeros(outShape), a broadcasting XNNPACK add; ~15x faster than the
 * stock element-by-element Tile. Anything else goes to the stock kernel.
 */
export function broadcastTile(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const x = (inputs as { x: tf.TensorInfo }).x;
    const { reps } = attrs as unknown as { reps: number[] };
    const broadcast = reps.every((r, i) => r === 1 || x.shape[i] === 1);
    if (x.dtype !== 'float32' || !broadcast || x.shape.length > 4) return stock(args);
    const outShape = x.shape.map((d, i) => d * reps[i]!);
    return withCalls(backend, (k) => k.run('Add', { a: x, b: k.fill(outShape, 0) }));
  };
}
