import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@iern/core'; // registers the gradient functions

/**
 * Test-only speed-up: the stock cpu `Conv2DBackpropFilter` reads every element through
 * `TensorBuffer.get(...)` and takes ~20 ms for a 3x3x8x8 filter on a 8x4x4 batch, which
 * dominates these tests. This one computes the same sums with flat indexing (NHWC only;
 * anything else goes to the stock kernel). `fast-cpu-conv.test.ts` checks it against the stock one.
 */
const KERNEL = 'Conv2DBackpropFilter';
let stock: tf.KernelConfig | undefined;

interface CpuBackend {
  data: { get(id: unknown): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
}

function fastFilterGrad(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const a = attrs as unknown as {
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  if (a.dataFormat === 'NCHW') return stock!.kernelFunc(args as never) as tf.TensorInfo;
  const x = inputs['x']!;
  const dy = inputs['dy']!;
  const cpu = backend as CpuBackend;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    1,
    a.pad as never,
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw, inHeight, inWidth, outHeight, outWidth, inChannels: ci, outChannels: co, batchSize } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const xv = cpu.data.get(x.dataId).values;
  const dyv = cpu.data.get(dy.dataId).values;
  const dw = new Float32Array(fh * fw * ci * co);
  for (let b = 0; b < batchSize; b++)
    for (let yr = 0; yr < outHeight; yr++)
      for (let yc = 0; yc < outWidth; yc++) {
        const dyOff = ((b * outHeight + yr) * outWidth + yc) * co;
        for (let wr = 0; wr < fh; wr++) {
          const xr = yr * sh + wr - top;
          if (xr < 0 || xr >= inHeight) continue;
          for (let wc = 0; wc < fw; wc++) {
            const xc = yc * sw + wc - left;
            if (xc < 0 || xc >= inWidth) continue;
            const xOff = ((b * inHeight + xr) * inWidth + xc) * ci;
            const wOff = (wr * fw + wc) * ci * co;
            for (let d1 = 0; d1 < ci; d1++) {
              const xval = xv[xOff + d1]!;
              if (xval === 0) continue;
              const row = wOff + d1 * co;
              for (let d2 = 0; d2 < co; d2++) dw[row + d2] += xval * dyv[dyOff + d2]!;
            }
          }
        }
      }
  return cpu.makeTensorInfo([fh, fw, ci, co], 'float32', dw);
}

/** Swaps the cpu backend's filter-gradient kernel for the fast one (idempotent). */
export function installFastCpuConv(): void {
  if (stock) return;
  stock = tf.getKernel(KERNEL, 'cpu');
  if (!stock) throw new Error('cpu backend not registered');
  tf.unregisterKernel(KERNEL, 'cpu');
  tf.registerKernel({ kernelName: KERNEL, backendName: 'cpu', kernelFunc: fastFilterGrad as never });
}

/** Puts the stock kernel back. */
export function uninstallFastCpuConv(): void {
  if (!stock) return;
  tf.unregisterKernel(KERNEL, 'cpu');
  tf.registerKernel(stock);
  stock = undefined;
}
