import * as tf from '@tensorflow/tfjs-core';
import { convGradInfo, withCalls } from './kernel-util.js';
import { isPointwise, pointwiseFilterGrad } from './pointwise.js';

/**
 * Filter gradient of a 2-D convolution as ONE forward convolution (runs at XNNPACK speed):
 * dW[i,j,c,o] = sum_{n,y,x} X[n, y*s+i-pt, x*s+j-pl, c] * dY[n,y,x,o]
 * is a conv of X^T ([C,H,W,N]: channels as batch, batch as channels) with dY^T ([oh,ow,N,O]
 * as an HWIO filter), stride 1 and the forward stride as dilation; its output [C,kh,kw,O] is
 * transposed back to HWIO.
 */
export const conv2dBackpropFilterKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = convGradInfo('Conv2DBackpropFilter', attrs, x.shape, filterShape);
  return withCalls(backend, (k) => {
    if (isPointwise(info)) return pointwiseFilterGrad(k, x, dy, info);
    const { inHeight: H, inWidth: W, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
    if ((sh > 1 && dh > 1) || (sw > 1 && dw > 1)) throw new Error('Conv2DBackpropFilter (wasm): stride and dilation both > 1 are not supported');
    // Effective (dilated) filter extent.
    const kh = info.effectiveFilterHeight;
    const kw = info.effectiveFilterWidth;
    const pt = info.padInfo.top;
    const pl = info.padInfo.left;
    // Rows/cols the forward conv never reads are cropped (they would give negative padding).
    const usedH = Math.min(H, kh + sh * (oh - 1) - pt);
    const usedW = Math.min(W, kw + sw * (ow - 1) - pl);
    const pb = kh + sh * (oh - 1) - pt - usedH;
    const pr = kw + sw * (ow - 1) - pl - usedW;
    const xc = k.slice(x, [0, 0, 0, 0], [x.shape[0]!, usedH, usedW, x.shape[3]!]);
    const xt = k.transpose(xc, [3, 1, 2, 0]);
    const dyt = k.transpose(dy, [1, 2, 0, 3]);
    // Output tap i reads input row i*d + y*s: stride d over taps, dilation s over dy rows.
    const conv = k.conv2d(xt, dyt, [dh, dw], [sh, sw], [pt, pb, pl, pr]);
    return k.transpose(conv, [1, 2, 0, 3]);
  });
};
