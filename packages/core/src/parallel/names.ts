import type * as tf from '@tensorflow/tfjs-core';
import type { Strategy } from '../model/strategy.js';

/**
 * tfjs variable names are process-global counters that differ between threads; replicas
 * exchange gradients under the strategy's stable names (`namedVariables()` keys).
 */
export class VariableNames {
  private readonly toStable = new Map<string, string>();
  private readonly toLocal = new Map<string, tf.Variable>();

  constructor(strategy: Strategy) {
    for (const [stable, v] of strategy.namedVariables()) {
      this.toStable.set(v.name, stable);
      this.toLocal.set(stable, v);
    }
  }

  stable(localName: string): string {
    const s = this.toStable.get(localName);
    if (s === undefined) throw new Error(`variable '${localName}' is not in the strategy's namedVariables(): data-parallel training needs every trained variable named there`);
    return s;
  }

  variable(stable: string): tf.Variable {
    const v = this.toLocal.get(stable);
    if (!v) throw new Error(`replica has no variable named '${stable}' (replicas must build the same model)`);
    return v;
  }

  entries(): IterableIterator<[string, tf.Variable]> {
    return this.toLocal.entries();
  }
}
