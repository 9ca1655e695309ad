import * as tf from '@tensorflow/tfjs-core';
import { withCalls } from './kernel-util.js';
import { isPointwise, pointwiseInputGrad } from './pointwise.js';

/**
 * Input gradient of a 2-D convolution as ONE forward convolution (XNNPACK): the stride-dilated,
 * padded dY convolved with the spatially flipped filter whose in/out channels are swapped.
 * (The built-in wasm kernel is a naive loop, about 10x slower than a forward conv.)
 */
export const conv2dBackpropInputKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  // tfjs's conv2d gradient never passes dilations; TensorFlow's kernel has the attribute, so honour it.
  const dilations = ((attrs as { dilations?: number | [number, number] }).dilations ?? 1) as number | [number, number];
  if (dataFormat !== undefined && dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropInput (wasm): dataFormat ${dataFormat} is not supported, use NHWC`);
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  return withCalls(backend, (k) => {
    if (isPointwise(info)) return pointwiseInputGrad(k, dy, filter, info);
    const { inHeight: H, inWidth: W, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
    const kh = info.effectiveFilterHeight;
    const kw = info.effectiveFilterWidth;
    const flipped = k.transpose(k.flipSpatial(filter), [0, 1, 3, 2]);
    const dyd = k.dilate(dy, sh, sw);
    // dyd holds (oh*s) rows: (oh-1)*s+1 real ones and s-1 trailing zeros.
    const [top, bottom] = sides(H, kh, info.padInfo.top, info.outHeight, sh);
    const [left, right] = sides(W, kw, info.padInfo.left, info.outWidth, sw);
    const dyc = k.slice(dyd, [0, 0, 0, 0], [dyd.shape[0]!, dyd.shape[1]! + Math.min(0, bottom), dyd.shape[2]! + Math.min(0, right), dyd.shape[3]!]);
    return k.conv2d(dyc, flipped, [1, 1], [dh, dw], [top, Math.max(0, bottom), left, Math.max(0, right)]);
  });
};

/** Top/bottom padding of the dilated dy (bottom counts the s-1 trailing zero rows; may be negative). */
function sides(inSize: number, k: number, padBefore: number, outSize: number, s: number): [number, number] {
  const top = k - 1 - padBefore;
  const realRows = (outSize - 1) * s + 1;
  const bottom = inSize - realRows - top + k - 1 - (s - 1);
  return [top, bottom];
}

