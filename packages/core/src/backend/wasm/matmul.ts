import * as tf from '@tensorflow/tfjs-core';
import { withCalls } from './kernel-util.js';

/**
 * BatchMatMul with a transposed operand (every gradient of a matMul has one) through the
 * XNNPACK GEMM: the stock wasm kernel only uses XNNPACK for a single, untransposed product and
 * otherwise runs a naive loop, ~10x slower (256x512x256: 29-40 ms vs 3 ms). The transpose is
 * made explicit (a copy of one operand) and the product runs untransposed.
 */
export function explicitTransposeMatMul(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') return stock(args);
    // Single product only (batch dims all 1): that is the case the GEMM path takes.
    const single = (t: tf.TensorInfo) => t.shape.slice(0, -2).every((d) => d === 1);
    if (!single(a) || !single(b) || a.shape.length < 2 || b.shape.length < 2) return stock(args);
    const last2 = (t: tf.TensorInfo): [number, number] => [t.shape[t.shape.length - 2]!, t.shape[t.shape.length - 1]!];
    const [ar, ac] = last2(a);
    const [br, bc] = last2(b);
    const [m, kk, n] = [transposeA ? ac : ar, transposeA ? ar : ac, transposeB ? br : bc];
    // Matrix-vector products (Sum's ones column) and tiny ones gain nothing from a copy.
    if (n < 8 || m * kk * n < 1 << 18) return stock(args);
    return withCalls(backend, (k) => {
      const operand = (t: tf.TensorInfo, transposed: boolean) => {
        const [r, c] = last2(t);
        const mat = k.reshape(t, [1, r, c]);
        return transposed ? k.transpose(mat, [0, 2, 1]) : mat;
      };
      const prod = k.run('BatchMatMul', { a: operand(a, transposeA), b: operand(b, transposeB) }, { transposeA: false, transposeB: false });
      const rank = Math.max(a.shape.length, b.shape.length);
      const outShape = [...new Array(rank - 2).fill(1), prod.shape[1]!, prod.shape[2]!];
      return k.reshape(prod, outShape);
    });
  };
}
