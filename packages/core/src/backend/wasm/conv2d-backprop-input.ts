import * as tf from '@tensorflow/tfjs-core';
import { convGradInfo, withCalls } from './kernel-util.js';
import { isPointwise, pointwiseInputGrad } from './pointwise.js';
import { polyphaseInputGrad } from './polyphase.js';
import { gemmInputGrad } from './gemm-input-grad.js';

/**
 * Input gradient of a 2-D convolution through XNNPACK (the built-in wasm kernel is a naive
 * loop, about 10x slower than a forward conv). By shape: 1x1 = one matrix product; small maps
 * (deep layers) = one GEMM + col2im; strided = one stride-1 conv per phase; otherwise ONE
 * forward conv of the padded dY with the spatially flipped filter, in/out channels swapped.
 */
export const conv2dBackpropInputKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const info = convGradInfo('Conv2DBackpropInput', attrs, inputShape, filter.shape);
  return withCalls(backend, (k) => {
    if (isPointwise(info)) return pointwiseInputGrad(k, dy, filter, info);
    // Few output positions per output channel (ResNet layer4 at 112 px; strided layer2/3 at
    // 8 images): one GEMM with the filter unpacked + col2im. Thresholds measured with
    // tools/bench/kernels.mjs at 8 and 16 images: above them the direct or polyphase conv wins
    // (layer3 3x3 at 8 images: 24 vs 28 ms; layer2 3x3: 17 vs 33 ms).
    const positions = info.batchSize * info.outHeight * info.outWidth;
    const strided = info.strideHeight > 1 || info.strideWidth > 1;
    if (positions < (strided ? 16 : 1) * info.outChannels) {
      return gemmInputGrad(k, dy, filter, info);
    }
    // Strided: one stride-1 conv per phase instead of one conv over a mostly-zero dilated dy.
    if (strided && info.dilationHeight === 1 && info.dilationWidth === 1) return polyphaseInputGrad(k, dy, filter, info);
    const { inHeight: H, inWidth: W, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
    const kh = info.effectiveFilterHeight;
    const kw = info.effectiveFilterWidth;
    const dyd = k.dilate(dy, sh, sw);
    // dyd holds (oh*s) rows: (oh-1)*s+1 real ones and s-1 trailing zeros.
    const [top, bottom] = sides(H, kh, info.padInfo.top, info.outHeight, sh);
    const [left, right] = sides(W, kw, info.padInfo.left, info.outWidth, sw);
    const dyc = k.slice(dyd, [0, 0, 0, 0], [dyd.shape[0]!, dyd.shape[1]! + Math.min(0, bottom), dyd.shape[2]! + Math.min(0, right), dyd.shape[3]!]);
    const swapped = k.transpose(filter, [0, 1, 3, 2]);
    const pads: [number, number, number, number] = [top, Math.max(0, bottom), left, Math.max(0, right)];
    return k.conv2d(dyc, k.flipSpatial(swapped), [1, 1], [dh, dw], pads);
  });
};

/** Top/bottom padding of the dilated dy (bottom counts the s-1 trailing zero rows; may be negative). */
function sides(inSize: number, k: number, padBefore: number, outSize: number, s: number): [number, number] {
  const top = k - 1 - padBefore;
  const realRows = (outSize - 1) * s + 1;
  const bottom = inSize - realRows - top + k - 1 - (s - 1);
  return [top, bottom];
}

