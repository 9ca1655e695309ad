import type * as tf from '@tensorflow/tfjs-core';
import type { KernelCalls } from './kernel-util.js';

/**
 * Input gradient for deep layers (big filter, small maps) as one GEMM plus a tiny col2im:
 *   cols[i,j,c, n,y,x] = sum_o W[i,j,c,o] * dY[n,y,x,o]      (W as the unpacked left operand)
 *   dx[n, y*s + i*d - pad, x*s + j*d - pad, c] += cols[i,j,c, n,y,x]
 * The GEMM does exactly the forward conv's multiply-adds (the direct formulation convolves a
 * zero-padded, stride-dilated dy: 2-5x more at 4x4-7x7 maps) and never repacks the big filter
 * (XNNPACK packs its right-hand operand on every new tensor). The col2im scatter-add is a
 * forward conv of the taps-as-channels columns with a constant one-hot filter.
 */
export function gemmInputGrad(k: KernelCalls, dy: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { batchSize: n, inChannels: ci, outChannels: co, inHeight: H, inWidth: W, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, filterHeight: kh, filterWidth: kw } = info;
  const taps = kh * kw;
  const m = n * oh * ow;
  const dyT = k.transpose(k.reshape(dy, [m, co]), [1, 0]);
  const cols = k.run('BatchMatMul', { a: k.reshape(filter, [1, taps * ci, co]), b: k.reshape(dyT, [1, co, m]) }, { transposeA: false, transposeB: false });
  // [taps, ci*n*oh*ow] -> [ci*n, oh, ow, taps]: every (c, n) is one image with the taps as channels.
  const img = k.reshape(k.transpose(k.reshape(cols, [taps, ci * m]), [1, 0]), [ci * n, oh, ow, taps]);
  // Tap (i,j) lands on padded row r = y*s + i*d = (y + qi)*s + ri: phase ri, shift qi. One
  // stride-1 conv with a constant one-hot [Kq,Kq',taps,sh*sw] filter sums every phase's taps
  // (no stride-dilated copy of the columns), then the phases interleave (depth-to-space).
  const place = (t: number, d: number, s: number) => ({ q: Math.floor((t * d) / s), r: (t * d) % s });
  const kqh = place(kh - 1, dh, sh).q + 1;
  const kqw = place(kw - 1, dw, sw).q + 1;
  const phases = sh * sw;
  const e = new Float32Array(kqh * kqw * taps * phases);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const [pi, pj] = [place(i, dh, sh), place(j, dw, sw)];
      e[(((kqh - 1 - pi.q) * kqw + (kqw - 1 - pj.q)) * taps + i * kw + j) * phases + pi.r * sw + pj.r] = 1;
    }
  }
  const scatter = k.constant([kqh, kqw, taps, phases], e);
  const [qh, qw] = [oh + kqh - 1, ow + kqw - 1];
  const byPhase = k.conv2d(img, scatter, [1, 1], [1, 1], [kqh - 1, kqh - 1, kqw - 1, kqw - 1]); // [ci*n, qh, qw, sh*sw]
  const hp = qh * sh; // padded rows covered (the last ones may hold zeros only)
  const wp = qw * sw;
  const full = phases === 1 ? byPhase : k.transpose(k.reshape(byPhase, [ci * n, qh, qw, sh, sw]), [0, 1, 3, 2, 4]);
  const nhwc = k.reshape(k.transpose(k.reshape(full, [ci, n * hp * wp]), [1, 0]), [n, hp, wp, ci]);
  // Padded row r is input row r - pad: crop what lies outside the input, zero-fill rows never read.
  const { top, left } = info.padInfo;
  const rows = Math.min(hp - top, H);
  const colsW = Math.min(wp - left, W);
  const inside = k.slice(nhwc, [0, top, left, 0], [n, rows, colsW, ci]);
  return k.pad(inside, [[0, 0], [0, H - rows], [0, W - colsW], [0, 0]]);
}
