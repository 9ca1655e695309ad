import * as tf from '@tensorflow/tfjs-core';
import type { KernelCalls } from './kernel-util.js';

/** True for a 1x1 convolution without padding or dilation (ResNet projections, bottlenecks). */
export function isPointwise(info: tf.backend_util.Conv2DInfo): boolean {
  const p = info.padInfo;
  return info.filterHeight === 1 && info.filterWidth === 1 && p.top === 0 && p.left === 0 && p.bottom === 0 && p.right === 0 && info.dilationHeight === 1 && info.dilationWidth === 1;
}

/**
 * x subsampled at the conv's stride (the pixels a strided 1x1 conv reads): [N,oh,ow,C]. As a
 * plain slice of x seen as [N*oh, sh, ow, sw*C] (the stock StridedSlice moves one element at
 * a time, ~4x slower); x is first cut or zero-extended to exactly oh*sh x ow*sw pixels.
 */
export function strided(k: KernelCalls, x: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, batchSize: n, inChannels: c, inHeight: H, inWidth: W } = info;
  if (sh === 1 && sw === 1) return x;
  const cut = k.slice(x, [0, 0, 0, 0], [n, Math.min(H, oh * sh), Math.min(W, ow * sw), c]);
  const whole = k.pad(cut, [[0, 0], [0, oh * sh - cut.shape[1]!], [0, ow * sw - cut.shape[2]!], [0, 0]]);
  const picked = k.slice(k.reshape(whole, [n * oh, sh, ow, sw * c]), [0, 0, 0, 0], [n * oh, 1, ow, c]);
  return k.reshape(picked, [n, oh, ow, c]);
}

/**
 * 1x1 filter gradient: dW = Xs^T dY, one matrix product over the N*oh*ow pixels. The wasm
 * BatchMatMul runs a naive loop when A is transposed, so the transpose is explicit, and the
 * smaller of Xs and dY is the right-hand (packed) operand.
 */
export function pointwiseFilterGrad(k: KernelCalls, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { inChannels: ci, outChannels: co } = info;
  const m = info.batchSize * info.outHeight * info.outWidth;
  const xs = k.reshape(strided(k, x, info), [1, m, ci]);
  const d = k.reshape(dy, [1, m, co]);
  if (ci <= co) {
    const prodT = k.run('BatchMatMul', { a: k.transpose(d, [0, 2, 1]), b: xs }, { transposeA: false, transposeB: false }); // [1, co, ci]
    return k.reshape(k.transpose(prodT, [0, 2, 1]), [1, 1, ci, co]);
  }
  const prod = k.run('BatchMatMul', { a: k.transpose(xs, [0, 2, 1]), b: d }, { transposeA: false, transposeB: false }); // [1, ci, co]
  return k.reshape(prod, [1, 1, ci, co]);
}

/** 1x1 input gradient: dY W^T, then scattered back to every s-th pixel (zeros elsewhere). */
export function pointwiseInputGrad(k: KernelCalls, dy: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { batchSize: n, outHeight: oh, outWidth: ow, inChannels: ci, outChannels: co, inHeight: H, inWidth: W, strideHeight: sh, strideWidth: sw } = info;
  const a = k.reshape(dy, [1, n * oh * ow, co]);
  const b = k.reshape(filter, [1, ci, co]);
  const prod = k.reshape(k.run('BatchMatMul', { a, b }, { transposeA: false, transposeB: true }), [n, oh, ow, ci]);
  if (sh === 1 && sw === 1) return prod;
  const d = k.dilate(prod, sh, sw); // [n, oh*sh, ow*sw, ci]
  const pads: [number, number][] = [[0, 0], [0, Math.max(0, H - oh * sh)], [0, Math.max(0, W - ow * sw)], [0, 0]];
  return k.slice(k.pad(d, pads), [0, 0, 0, 0], [n, H, W, ci]);
}
