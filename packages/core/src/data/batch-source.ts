import type { Batch } from './batch.js';
import type { Rng } from '../util/rng.js';

/**
 * What the training loop needs from a source of batches. `DataLoader` (images) and
 * `CachedFeatureSource` (precomputed frozen-backbone features) both satisfy it.
 */
export interface BatchSource {
  /** Loads whatever must be in memory before the first epoch (idempotent). */
  prepare(): Promise<void>;
  /** Samples served per epoch. */
  readonly size: number;
  batchesPerEpoch(): number;
  /** One epoch of batches, shuffled with `rng` when the source shuffles; the caller disposes each batch. */
  epoch(rng?: Rng, augment?: boolean): AsyncGenerator<Batch>;
}
