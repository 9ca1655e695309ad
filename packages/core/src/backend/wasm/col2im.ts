import type * as tf from '@tensorflow/tfjs-core';
import type { KernelCalls } from './kernel-util.js';

/**
 * True when the filter is big next to the activations (deep layers at small spatial size):
 * XNNPACK repacks a conv's filter on every new tensor (~35 ns per weight), so a GEMM that
 * packs dy instead, plus a cheap scatter of the taps, wins.
 */
export function preferGemmInputGrad(info: tf.backend_util.Conv2DInfo): boolean {
  const taps = info.filterHeight * info.filterWidth;
  const weights = taps * info.inChannels * info.outChannels;
  const dx = info.batchSize * info.inHeight * info.inWidth * info.inChannels;
  return info.dilationHeight === 1 && info.dilationWidth === 1 && weights * 12 > taps * dx;
}

/**
 * Input gradient as GEMM + col2im: cols = W[kh*kw*Ci, Co] @ dY[M, Co]^T (dY is the packed
 * operand), then every tap's [N,oh,ow,Ci] slice is stride-dilated, shifted into place and all
 * taps are summed.
 */
export function gemmInputGrad(k: KernelCalls, dy: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { batchSize: n, outHeight: oh, outWidth: ow, inChannels: ci, outChannels: co, inHeight: H, inWidth: W, strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const m = n * oh * ow;
  const taps = kh * kw;
  const a = k.reshape(filter, [1, taps * ci, co]);
  const b = k.reshape(dy, [1, m, co]);
  const cols = k.run('BatchMatMul', { a, b }, { transposeA: false, transposeB: true }); // [1, taps*ci, m]
  const perTap = k.transpose(k.reshape(cols, [taps, ci, m]), [0, 2, 1]); // [taps, m, ci]
  const placed: tf.TensorInfo[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const t = i * kw + j;
      const tap = k.reshape(k.slice(perTap, [t, 0, 0], [1, m, ci]), [n, oh, ow, ci]);
      const p = place(k, k.dilate(tap, sh, sw), i - info.padInfo.top, j - info.padInfo.left, H, W);
      if (p) placed.push(p);
    }
  }
  if (placed.length === 0) return k.fill([n, H, W, ci], 0);
  if (placed.length === 1) return placed[0]!;
  return k.run('AddN', placed as unknown as tf.NamedTensorInfoMap);
}

/** Puts block x (row r lands on row r+offH) into an [N,H,W,C] zero canvas, cropping what falls outside. */
function place(k: KernelCalls, x: tf.TensorInfo, offH: number, offW: number, H: number, W: number): tf.TensorInfo | undefined {
  const [n, rows, cols, c] = x.shape as [number, number, number, number];
  const r0 = Math.max(0, -offH);
  const c0 = Math.max(0, -offW);
  const rLen = Math.min(rows, H - offH) - r0;
  const cLen = Math.min(cols, W - offW) - c0;
  if (rLen <= 0 || cLen <= 0) return undefined;
  const cropped = k.slice(x, [0, r0, c0, 0], [n, rLen, cLen, c]);
  const top = offH + r0;
  const left = offW + c0;
  return k.pad(cropped, [[0, 0], [top, H - top - rLen], [left, W - left - cLen], [0, 0]]);
}
