import * as tf from '@tensorflow/tfjs-core';
// Imported first: its module registers the stock wasm kernels, which ours must override.
import '@tensorflow/tfjs-backend-wasm';
import { conv2dBackpropFilterKernel } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputKernel } from './conv2d-backprop-input.js';
import { unsortedSegmentSumKernel } from './unsorted-segment-sum.js';
import { depthwiseBackpropFilterKernel, depthwiseBackpropInputKernel } from './depthwise-backprop.js';
import { broadcastTile, leadingReduction } from './reductions.js';
import { explicitTransposeMatMul } from './matmul.js';
import { sharedIdentity, sharedSameDtypeCast } from './identity.js';
import { fastMaxPoolGrad } from './max-pool-grad.js';
import { inPlaceSlice } from './slice.js';

/** The kernels iern adds to (or replaces in) the wasm backend so it can train. */
export const wasmTrainingKernels: ReadonlyArray<{ name: string; func: tf.KernelFunc; replaces: boolean }> = [
  { name: 'Conv2DBackpropFilter', func: conv2dBackpropFilterKernel, replaces: false },
  // The built-in one is a naive loop (~10x slower than a forward conv); ours runs through XNNPACK.
  { name: 'Conv2DBackpropInput', func: conv2dBackpropInputKernel, replaces: true },
  { name: 'DepthwiseConv2dNativeBackpropFilter', func: depthwiseBackpropFilterKernel, replaces: false },
  { name: 'DepthwiseConv2dNativeBackpropInput', func: depthwiseBackpropInputKernel, replaces: false },
  { name: 'UnsortedSegmentSum', func: unsortedSegmentSumKernel, replaces: false },
];

/** Faster paths for common cases of stock kernels; other cases call the stock kernel. */
export const wasmFastPaths: ReadonlyArray<{ name: string; wrap: (stock: tf.KernelFunc) => tf.KernelFunc }> = [
  { name: 'Sum', wrap: (stock) => leadingReduction('Sum', stock) },
  { name: 'Mean', wrap: (stock) => leadingReduction('Mean', stock) },
  { name: 'Tile', wrap: broadcastTile },
  { name: 'BatchMatMul', wrap: explicitTransposeMatMul },
  { name: 'Identity', wrap: sharedIdentity },
  { name: 'Cast', wrap: sharedSameDtypeCast },
  { name: 'MaxPoolGrad', wrap: fastMaxPoolGrad },
  { name: 'Slice', wrap: inPlaceSlice },
];

let registered = false;

/**
 * Registers the training kernels for `wasm` (idempotent, per JS realm: every worker thread
 * calls it too). Safe before or after the backend is initialised: these kernels need no setup.
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  for (const { name, func, replaces } of wasmTrainingKernels) {
    if (tf.getKernel(name, 'wasm')) {
      if (!replaces) continue; // a future tfjs ships its own
      tf.unregisterKernel(name, 'wasm');
    }
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: func });
  }
  for (const { name, wrap } of wasmFastPaths) {
    const stock = tf.getKernel(name, 'wasm');
    if (!stock) continue;
    tf.unregisterKernel(name, 'wasm');
    // Keep the stock kernel's setup (it binds the wasm function the fallback calls).
    tf.registerKernel({ kernelName: name, backendName: 'wasm', setupFunc: stock.setupFunc, disposeFunc: stock.disposeFunc, kernelFunc: wrap(stock.kernelFunc) });
  }
  registered = true;
}
