import * as tf from '@tensorflow/tfjs-core';
import { takesGradientArrays, type ArrayGradientOptimizer, type GradientArrays } from './gradient-arrays.js';

/**
 * Routes each variable's gradient to the optimiser that owns it, so one backward pass can
 * feed several optimisers (different learning rates for backbone and head).
 */
export class SplitOptimizer extends tf.Optimizer implements ArrayGradientOptimizer {
  private readonly owner = new Map<string, tf.Optimizer>();
  constructor(private readonly parts: [tf.Optimizer, tf.Variable[]][]) {
    super();
    for (const [opt, vars] of parts) for (const v of vars) this.owner.set(v.name, opt);
  }
  applyGradients(grads: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void {
    const map: tf.NamedTensorMap = Array.isArray(grads) ? Object.fromEntries(grads.map((g) => [g.name, g.tensor])) : grads;
    for (const [opt] of this.parts) {
      const mine: tf.NamedTensorMap = {};
      for (const [name, g] of Object.entries(map)) if (this.owner.get(name) === opt) mine[name] = g;
      if (Object.keys(mine).length) opt.applyGradients(mine);
    }
  }
  /** Arrays go on as arrays to optimisers that take them; others get tensors made from them. */
  applyGradientArrays(grads: GradientArrays): void {
    for (const [opt] of this.parts) {
      const mine = grads.filter(([name]) => this.owner.get(name) === opt);
      if (!mine.length) continue;
      if (takesGradientArrays(opt)) {
        opt.applyGradientArrays(mine);
        continue;
      }
      const vars = tf.engine().registeredVariables;
      // Copies: the arrays may be views of a shared buffer (and cpu tensors alias their array).
      const tensors: tf.NamedTensorMap = Object.fromEntries(mine.map(([name, g]) => [name, tf.tensor(g.slice(), vars[name]!.shape, 'float32')]));
      try {
        opt.applyGradients(tensors);
      } finally {
        tf.dispose(Object.values(tensors));
      }
    }
  }
  override getConfig(): tf.serialization.ConfigDict {
    return {};
  }
}
