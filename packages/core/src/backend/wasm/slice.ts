import * as tf from '@tensorflow/tfjs-core';

type Heap = { makeOutput(s: number[], d: tf.DataType): tf.TensorInfo; typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array };

/**
 * Slice reading the input in place: the stock wasm kernel first copies the WHOLE input out of
 * the heap (readSync), then copies the innermost rows one by one. Here every run of contiguous
 * elements (the innermost sliced axis with all full axes after it) is one copy between heap
 * views. float32/int32 only; other dtypes go to the stock kernel.
 */
export function inPlaceSlice(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const x = (inputs as { x: tf.TensorInfo }).x;
    if ((x.dtype !== 'float32' && x.dtype !== 'int32') || x.shape.length === 0) return stock(args);
    const { begin: b0, size: s0 } = attrs as unknown as tf.SliceAttrs;
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, b0, s0);
    const heap = backend as unknown as Heap;
    const out = heap.makeOutput(size, x.dtype);
    const total = tf.util.sizeFromShape(size);
    if (total === 0) return out;
    // Views after makeOutput: allocating may grow (and detach) the wasm memory.
    const xv = heap.typedArrayFromHeap(x);
    const ov = heap.typedArrayFromHeap(out);
    const shape = x.shape;
    const rank = shape.length;
    const strides = [...tf.util.computeStrides(shape), 1];
    // Innermost axis k that is cut: everything after it is whole, so a run is size[k]*stride[k].
    let k = rank - 1;
    while (k > 0 && begin[k] === 0 && size[k] === shape[k]) k--;
    const run = size[k]! * strides[k]!;
    const idx = new Array<number>(k).fill(0);
    let src0 = 0;
    for (let d = 0; d <= k; d++) src0 += begin[d]! * strides[d]!;
    for (let dst = 0; dst < total; dst += run) {
      let src = src0;
      for (let d = 0; d < k; d++) src += idx[d]! * strides[d]!;
      ov.set(xv.subarray(src, src + run), dst);
      for (let d = k - 1; d >= 0; d--) {
        if (++idx[d]! < size[d]!) break;
        idx[d] = 0;
      }
    }
    return out;
  };
}
