import { Registry } from './registry.js';
import type { Backbone } from '../model/backbone.js';
import type { Dataset } from '../data/sample.js';
import type { Strategy } from '../model/strategy.js';

/**
 * One registry per plugin kind. The three built-in kinds are typed fields; `kind(name)`
 * makes room for more (augmentations, hooks, ...) without changing this class.
 */
export class Registries {
  readonly backbones = new Registry<Backbone>('backbone');
  readonly datasets = new Registry<Dataset>('dataset');
  readonly strategies = new Registry<Strategy>('strategy');
  private readonly extra = new Map<string, Registry<unknown>>();

  /** A registry for another kind, created on first use. */
  kind<T>(name: string): Registry<T> {
    let reg = this.extra.get(name);
    if (!reg) {
      reg = new Registry<unknown>(name);
      this.extra.set(name, reg);
    }
    return reg as Registry<T>;
  }

  /** Every registry, built-in kinds first. */
  all(): Registry<unknown>[] {
    return [this.backbones, this.datasets, this.strategies, ...this.extra.values()] as Registry<unknown>[];
  }
}
