import * as tf from '@tensorflow/tfjs-core';

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
 * A new float32 tensor of `shape` computed in JS from float32 `inputs` by `body(out, ...ins)`.
 * On wasm the arrays are views of the heap (no copy in or out: a 45 MB copy costs ~25 ms on
 * a small machine); elsewhere they are dataSync() arrays. `body` must only write `out`.
 */
export function mapFloat32(shape: readonly number[], inputs: readonly tf.Tensor[], body: (out: Float32Array, ...ins: Float32Array[]) => void): tf.Tensor {
  for (const t of inputs) if (t.dtype !== 'float32') throw new Error(`mapFloat32: input has dtype ${t.dtype}, expected float32`);
  const heap = wasmHeap();
  if (heap) {
    const info = heap.makeOutput([...shape], 'float32');
    // Views only after allocating: growing the wasm memory detaches earlier views.
    // A tensor still held by another backend (e.g. loaded from a checkpoint on cpu) is read by dataSync.
    const ins = inputs.map((t) => (heap.dataIdMap.has(t.dataId) ? heap.typedArrayFromHeap(t) : (t.dataSync() as Float32Array)));
    body(heap.typedArrayFromHeap(info), ...ins);
    return tf.engine().makeTensorFromTensorInfo(info, tf.backend());
  }
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  body(out, ...inputs.map((t) => t.dataSync() as Float32Array));
  return tf.tensor(out, [...shape], 'float32');
}
