import type * as tf from '@tensorflow/tfjs-core';
import type { KernelCalls } from './kernel-util.js';

/** Rows of the common output range of every phase along one axis. */
interface AxisPlan {
  qlo: number;
  q: number;
  /** Taps of phase r: i = r, r+s, ... < k. */
  taps: number[];
}

function plan(size: number, k: number, s: number, padBefore: number): AxisPlan {
  let qlo = Infinity;
  let qhi = -Infinity;
  for (let r = 0; r < s; r++) {
    qlo = Math.min(qlo, Math.ceil((padBefore - r) / s));
    qhi = Math.max(qhi, Math.floor((size - 1 + padBefore - r) / s));
  }
  const taps = Array.from({ length: s }, (_, r) => (r < k ? Math.ceil((k - r) / s) : 0));
  return { qlo, q: qhi - qlo + 1, taps };
}

/**
 * Input gradient of a strided conv without multiplying by the zeros a dilated dy would hold:
 * output pixel a = q*s + r - pad only meets the taps i = r, r+s, ... (phase r), so each of the
 * sh*sw phases is a stride-1 conv of dy with its sub-filter, and the phases interleave.
 * Used where the maps are several times the filter (early layers); deep layers go through
 * the GEMM path instead (gemm-input-grad.ts).
 */
export function polyphaseInputGrad(k: KernelCalls, dy: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { batchSize: n, inChannels: ci, outChannels: co, inHeight: H, inWidth: W, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const rows = plan(H, kh, sh, info.padInfo.top);
  const cols = plan(W, kw, sw, info.padInfo.left);
  const swapped = k.transpose(filter, [0, 1, 3, 2]); // [kh, kw, co, ci]
  const rowBlocks: tf.TensorInfo[] = [];
  for (let rh = 0; rh < sh; rh++) {
    const colBlocks: tf.TensorInfo[] = [];
    for (let rw = 0; rw < sw; rw++) {
      const uh = rows.taps[rh]!;
      const uw = cols.taps[rw]!;
      let block: tf.TensorInfo | undefined;
      if (uh > 0 && uw > 0) {
        const sub = k.run('StridedSlice', { x: swapped }, {
          begin: [rh, rw, 0, 0],
          end: [kh, kw, co, ci],
          strides: [sh, sw, 1, 1],
          beginMask: 0,
          endMask: 0,
          ellipsisMask: 0,
          newAxisMask: 0,
          shrinkAxisMask: 0,
        });
        block = phaseConv(k, dy, k.flipSpatial(sub), uh, uw, rows, cols, oh, ow);
      }
      colBlocks.push(k.reshape(block ?? k.fill([n, rows.q, cols.q, ci], 0), [n, rows.q, cols.q, 1, ci]));
    }
    const interleavedCols = colBlocks.length === 1 ? colBlocks[0]! : k.run('Concat', colBlocks as unknown as tf.NamedTensorInfoMap, { axis: 3 });
    rowBlocks.push(k.reshape(interleavedCols, [n, rows.q, 1, cols.q * sw, ci]));
  }
  const all = rowBlocks.length === 1 ? rowBlocks[0]! : k.run('Concat', rowBlocks as unknown as tf.NamedTensorInfoMap, { axis: 2 });
  const full = k.reshape(all, [n, rows.q * sh, cols.q * sw, ci]);
  // Row j of `full` is input row j + qlo*s - pad.
  return k.slice(full, [0, info.padInfo.top - rows.qlo * sh, info.padInfo.left - cols.qlo * sw, 0], [n, H, W, ci]);
}

/** One phase: correlation of dy with the flipped sub-filter over output rows qlo..qlo+q-1; undefined = all zeros. */
function phaseConv(k: KernelCalls, dy: tf.TensorInfo, subFlipped: tf.TensorInfo, uh: number, uw: number, rows: AxisPlan, cols: AxisPlan, oh: number, ow: number): tf.TensorInfo | undefined {
  const [top, bottom] = [uh - 1 - rows.qlo, rows.q - oh - (uh - 1 - rows.qlo) + uh - 1];
  const [left, right] = [uw - 1 - cols.qlo, cols.q - ow - (uw - 1 - cols.qlo) + uw - 1];
  // Negative padding = rows of dy this phase never reads: crop them.
  const r0 = Math.max(0, -top);
  const r1 = oh - Math.max(0, -bottom);
  const c0 = Math.max(0, -left);
  const c1 = ow - Math.max(0, -right);
  if (r1 <= r0 || c1 <= c0) return undefined;
  const d = k.slice(dy, [0, r0, c0, 0], [dy.shape[0]!, r1 - r0, c1 - c0, dy.shape[3]!]);
  return k.conv2d(d, subFlipped, [1, 1], [1, 1], [Math.max(0, top), Math.max(0, bottom), Math.max(0, left), Math.max(0, right)]);
}
