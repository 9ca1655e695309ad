import type * as tf from '@tensorflow/tfjs-core';

/**
 * A training or evaluation batch as a strategy sees it. The owner (the loop) disposes it.
 * `features` is set instead of (or beside) `images` when a frozen backbone's features come
 * from the feature cache: strategies use `features ?? backbone.apply(images)`.
 */
export interface Batch {
  /** NHWC float32, already normalised for the backbone. */
  images?: tf.Tensor4D;
  /** Precomputed backbone feature maps (NHWC), when the backbone is frozen and cached. */
  features?: tf.Tensor4D;
  /** int32 [N] emotion class indices. */
  emotions: tf.Tensor1D;
  /** int32 [N] confounder indices; -1 where unknown. */
  confounders: tf.Tensor1D;
  /** Sample ids, in order. */
  ids: string[];
  size: number;
}

/** Disposes every tensor of a batch. */
export function disposeBatch(batch: Batch): void {
  batch.images?.dispose();
  batch.features?.dispose();
  batch.emotions.dispose();
  batch.confounders.dispose();
}
