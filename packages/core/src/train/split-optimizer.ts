import * as tf from '@tensorflow/tfjs-core';

/**
 * Routes each variable's gradient to the optimiser that owns it, so one backward pass can
 * feed several optimisers (different learning rates for backbone and head).
 */
export class SplitOptimizer extends tf.Optimizer {
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
  override getConfig(): tf.serialization.ConfigDict {
    return {};
  }
}
