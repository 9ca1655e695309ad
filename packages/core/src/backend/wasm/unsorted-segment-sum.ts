import * as tf from '@tensorflow/tfjs-core';
import { withCalls } from './kernel-util.js';

/**
 * UnsortedSegmentSum (the gradient of `gather`) as one matrix product:
 * out[s, ...] = sum_i [ids_i == s] * x[i, ...] = oneHot(ids)^T @ x.
 */
export const unsortedSegmentSumKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  if (x.dtype !== 'float32') throw new Error(`UnsortedSegmentSum (wasm): dtype ${x.dtype} is not supported (float32 only)`);
  const idsRank = segmentIds.shape.length;
  const n = tf.util.sizeFromShape(segmentIds.shape);
  const rest = x.shape.slice(idsRank);
  const inner = tf.util.sizeFromShape(rest);
  return withCalls(backend, (k) => {
    const ids = k.reshape(segmentIds, [n]);
    const ids32 = segmentIds.dtype === 'int32' ? ids : k.run('Cast', { x: ids }, { dtype: 'int32' });
    // The wasm OneHot kernel writes int32 values whatever dtype it is given: cast explicitly.
    const onehotInt = k.run('OneHot', { indices: ids32 }, { depth: numSegments, onValue: 1, offValue: 0, dtype: 'int32' });
    const onehot = k.run('Cast', { x: onehotInt }, { dtype: 'float32' });
    // Explicit transpose: the wasm BatchMatMul runs a naive loop for a transposed A.
    const a = k.transpose(k.reshape(onehot, [1, n, numSegments]), [0, 2, 1]);
    const b = k.reshape(x, [1, n, inner]);
    const prod = k.run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
    return k.reshape(prod, [numSegments, ...rest]);
  });
};
