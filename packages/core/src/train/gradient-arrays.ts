import type * as tf from '@tensorflow/tfjs-core';

/**
 * Gradients as float32 arrays by tfjs variable name, in the order the optimiser sees them.
 * The arrays may be views of a buffer shared between replicas: read them, never write them.
 */
export type GradientArrays = [name: string, values: Float32Array][];

/** An optimiser that takes gradients as arrays, so a data-parallel step makes no tensors for them. */
export interface ArrayGradientOptimizer {
  applyGradientArrays(grads: GradientArrays): void;
}

export function takesGradientArrays(opt: tf.Optimizer): opt is tf.Optimizer & ArrayGradientOptimizer {
  return typeof (opt as Partial<ArrayGradientOptimizer>).applyGradientArrays === 'function';
}
