import * as tf from '@tensorflow/tfjs-core';

// Zero-copy access to float32 tensor data for JS loops over whole parameter sets (optimiser,
// all-reduce): on a small machine a 45 MB copy in or out of the wasm heap costs ~25 ms.

type WasmHeap = {
  dataIdMap: { has(dataId: object): boolean };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
};

/** The wasm backend, which lets JS read and write tensor data in place in its heap. */
function wasmHeap(): WasmHeap | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const b = tf.backend() as unknown as Partial<WasmHeap>;
  return typeof b.makeOutput === 'function' && typeof b.typedArrayFromHeap === 'function' ? (b as WasmHeap) : undefined;
}

/**
 * A float32 tensor's values without a copy where the backend allows it (wasm: a view of the
 * heap, valid only until the next tensor allocation; a tensor still held by another backend
 * is read with dataSync). Read-only: other tensors may share the data.
 */
export function float32View(t: tf.Tensor): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`float32View: dtype ${t.dtype}, expected float32`);
  const heap = wasmHeap();
  if (heap && heap.dataIdMap.has(t.dataId)) return heap.typedArrayFromHeap(t);
  return t.dataSync() as Float32Array;
}

/**
 * A new float32 tensor of `shape` computed in JS from float32 `inputs` by `body(out, ...ins)`,
 * written in place in the wasm heap (elsewhere into a new array). `body` must only write `out`.
 */
export function mapFloat32(shape: readonly number[], inputs: readonly tf.Tensor[], body: (out: Float32Array, ...ins: Float32Array[]) => void): tf.Tensor {
  const heap = wasmHeap();
  if (heap) {
    const info = heap.makeOutput([...shape], 'float32');
    // Views only after allocating: growing the wasm memory detaches earlier views.
    body(heap.typedArrayFromHeap(info), ...inputs.map(float32View));
    return tf.engine().makeTensorFromTensorInfo(info, tf.backend());
  }
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  body(out, ...inputs.map(float32View));
  return tf.tensor(out, [...shape], 'float32');
}
