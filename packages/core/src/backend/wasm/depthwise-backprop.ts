import * as tf from '@tensorflow/tfjs-core';
import { withCalls } from './kernel-util.js';

type DwAttrs = {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

function convInfo(xShape: number[], filterShape: number[], a: DwAttrs) {
  const d = a.dilations ?? 1;
  if (!tf.backend_util.tupleValuesAreOne(d)) throw new Error('depthwise conv gradient (wasm): dilations > 1 are not supported');
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    true,
  );
}

/**
 * Depthwise input gradient as one forward depthwise conv (XNNPACK) of the stride-dilated dY
 * (C*m channels) with the flipped filter as [kh,kw,C*m,1], then a sum over the multiplier.
 */
export const depthwiseBackpropInputKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as DwAttrs & { inputShape: [number, number, number, number] };
  const info = convInfo(a.inputShape, filter.shape, a);
  return withCalls(backend, (k) => {
    const [kh, kw, c, m] = filter.shape as [number, number, number, number];
    const { inHeight: H, inWidth: W, strideHeight: sh, strideWidth: sw, batchSize: n } = info;
    const flipped = k.reshape(k.flipSpatial(filter), [kh, kw, c * m, 1]);
    const dyd = k.dilate(dy, sh, sw);
    const top = kh - 1 - info.padInfo.top;
    const left = kw - 1 - info.padInfo.left;
    const bottom = H - ((info.outHeight - 1) * sh + 1) - top + kh - 1 - (sh - 1);
    const right = W - ((info.outWidth - 1) * sw + 1) - left + kw - 1 - (sw - 1);
    const dyc = k.slice(dyd, [0, 0, 0, 0], [n, dyd.shape[1]! + Math.min(0, bottom), dyd.shape[2]! + Math.min(0, right), c * m]);
    const conv = k.run('DepthwiseConv2dNative', { x: dyc, filter: flipped }, {
      strides: [1, 1],
      dilations: [1, 1],
      pad: [[0, 0], [top, Math.max(0, bottom)], [left, Math.max(0, right)], [0, 0]],
    } as unknown as tf.NamedAttrMap);
    if (m === 1) return conv;
    return k.run('Sum', { x: k.reshape(conv, [n, H, W, c, m]) }, { axis: [4], keepDims: false });
  });
};

/**
 * Depthwise filter gradient, one tap at a time: dW[i,j,c,q] = sum over n,y,x of the strided
 * input window for tap (i,j) times dY. kh*kw elementwise products and reductions.
 */
export const depthwiseBackpropFilterKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as DwAttrs & { filterShape: [number, number, number, number] };
  const info = convInfo(x.shape, a.filterShape, a);
  return withCalls(backend, (k) => {
    const [kh, kw, c, m] = a.filterShape;
    const { batchSize: n, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
    const { top, left } = info.padInfo;
    // Pad so that every tap's window lies inside the tensor.
    const needH = (oh - 1) * sh + kh;
    const needW = (ow - 1) * sw + kw;
    const xp = k.pad(x, [[0, 0], [top, Math.max(0, needH - top - info.inHeight)], [left, Math.max(0, needW - left - info.inWidth)], [0, 0]]);
    const dy5 = k.reshape(dy, [n, oh, ow, c, m]);
    const taps: tf.TensorInfo[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const win = k.run('StridedSlice', { x: xp }, {
          begin: [0, i, j, 0],
          end: [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, c],
          strides: [1, sh, sw, 1],
          beginMask: 0,
          endMask: 0,
          ellipsisMask: 0,
          newAxisMask: 0,
          shrinkAxisMask: 0,
        });
        const prod = k.run('Multiply', { a: k.reshape(win, [n, oh, ow, c, 1]), b: dy5 });
        taps.push(k.run('Sum', { x: prod }, { axis: [0, 1, 2], keepDims: false }));
      }
    }
    const all = taps.length === 1 ? taps[0]! : k.run('Concat', taps as unknown as tf.NamedTensorInfoMap, { axis: 0 });
    return k.reshape(all, [kh, kw, c, m]);
  });
};

