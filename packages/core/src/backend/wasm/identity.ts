import type * as tf from '@tensorflow/tfjs-core';

/**
 * Identity (tf.clone, and many gradients pass dy through it) sharing the input's data by
 * reference count, as the cpu backend and the wasm Reshape do: tensor data is immutable, so
 * the stock wasm kernel's full copy (600+ per ResNet-18 training step) buys nothing.
 */
export function sharedIdentity(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    if (x.dtype === 'string') return stock(args);
    (args.backend as unknown as { incRef(id: tf.DataId): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}

/** Cast to the dtype the tensor already has (tfjs's ReLU gradient casts float32 to float32): shared, as Identity. */
export function sharedSameDtypeCast(stock: tf.KernelFunc): tf.KernelFunc {
  const identity = sharedIdentity(stock);
  return (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    return (args.attrs as unknown as tf.CastAttrs).dtype === x.dtype ? identity(args) : stock(args);
  };
}
