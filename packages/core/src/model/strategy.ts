import type * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../data/batch.js';
import type { Backbone } from './backbone.js';
import type { StepContext } from '../train/step-context.js';

/** What a strategy is built for; registered under `TOKENS.ModelContext` in the experiment container. */
export interface ModelContext {
  backbone: Backbone;
  /** Emotion class names; index = label. */
  classes: string[];
  /** Confounder (stratum) names; index = label. Empty when the data has none. */
  confounders: string[];
  /** Training-set count per confounder (empirical prior P(z)). */
  confounderCounts: number[];
  /**
   * Training-set count per (confounder, emotion): [confounders][classes]. The label prior
   * P(y | z) that logit adjustment removes; absent when the caller did not count.
   */
  labelCounts?: number[][];
  /** Input image shape [H, W, C]. */
  inputShape: [number, number, number];
  /** Backbone feature-map shape [s, s, channels]. */
  featureShape: [number, number, number];
  epochs: number;
  stepsPerEpoch: number;
  seed: number;
}

/** Inference output. The caller disposes the tensors. */
export interface Prediction {
  /** [N, E] final logits (for IERN: mean over strata, i.e. the NWGM). */
  logits: tf.Tensor2D;
  /** [N, K, E] per-stratum logits, for strategies that intervene over strata. */
  perStratumLogits?: tf.Tensor3D;
}

/** Per-epoch hook context (dictionary refresh, schedules). */
export interface EpochContext {
  epoch: number;
  /** Iterates the training set once without augmentation (for k-means dictionaries). */
  iterateTrainingSet?: () => AsyncIterable<Batch>;
}

/**
 * A deconfounding strategy (`baseline`, `backdoor`, ...). The training loop calls `trainStep`
 * without knowing which strategy it is; the strategy sees batches and a backbone only.
 */
export interface Strategy {
  readonly type: string;
  /** One optimisation step on a batch; returns named scalar losses/metrics for logging. */
  trainStep(batch: Batch, ctx: StepContext): Promise<Record<string, number>>;
  /** Inference-mode prediction. */
  predict(batch: Batch): Prediction;
  /** Pooled [N, D] features for probes: `f` (backbone), and `e`, `c` where the strategy has them. */
  features?(batch: Batch): Record<string, tf.Tensor2D>;
  onEpochStart?(ctx: EpochContext): Promise<void>;
  /** Every weight and buffer by stable name (for checkpoints), including the backbone's. */
  namedVariables(): Map<string, tf.Variable>;
  /** Optimisers by name (their state is checkpointed). */
  optimizers(): Record<string, tf.Optimizer>;
  /** Extra JSON-able state (dictionary metadata, schedule position...). */
  getState?(): Record<string, unknown>;
  setState?(state: Record<string, unknown>): void;
  dispose(): void;
}
