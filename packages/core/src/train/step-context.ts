import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/rng.js';
import type { Batch } from '../data/batch.js';
import { takesGradientArrays, type GradientArrays } from './gradient-arrays.js';

/** Where a batch sits in training, for replicas that run the same step elsewhere. */
export interface ShardInfo {
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  totalSteps: number;
  /** The step's Rng (replicas start from its state). */
  rng: Rng;
}

/** Options of one `minimize` call. */
export interface MinimizeOptions {
  /** Multiplies the gradient of a variable before the optimiser sees it (IERN's 1/lambda on centres). */
  gradScale?: Map<tf.Variable, number>;
}

/**
 * Averages gradients across data-parallel replicas. `weight` is this replica's share of the
 * global batch (shard size / batch size); the result is the full-batch mean gradient.
 * The single-process reducer returns the gradients as they are.
 */
export interface GradientReducer {
  readonly replicas: number;
  /**
   * Data-parallel reducers split each batch: the other shards go to the other replicas and
   * this replica's shard comes back with its weight (shard size / batch size).
   */
  shard?(batch: Batch, info: ShardInfo): Promise<{ batch: Batch; weight: number }>;
  allReduce(grads: tf.NamedTensorMap, weight: number): Promise<tf.NamedTensorMap>;
  /**
   * The same average as float32 arrays by variable name, in the order of `grads`: read-only
   * views, valid until this replica's next reduction (no tensors made for optimisers that take arrays).
   */
  allReduceArrays?(grads: tf.NamedTensorMap, weight: number): Promise<GradientArrays>;
  /** Averages a scalar (a loss for logging) across replicas. */
  allReduceScalar(value: number, weight: number): Promise<number>;
}

export const localReducer: GradientReducer = {
  replicas: 1,
  async allReduce(grads) {
    return grads;
  },
  async allReduceScalar(value) {
    return value;
  },
};

/** What a strategy gets for one training step. */
export interface StepContext {
  readonly epoch: number;
  /** Global step index (0-based) across epochs. */
  readonly step: number;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  readonly rng: Rng;
  /**
   * Gradients of `loss` w.r.t. `vars` on this replica's batch, averaged across replicas,
   * scaled per variable, applied by `optimizer`. Returns the (replica-averaged) loss value.
   * Every intermediate tensor is disposed.
   */
  minimize(
    optimizer: tf.Optimizer,
    loss: () => tf.Scalar,
    vars: tf.Variable[],
    options?: MinimizeOptions,
  ): Promise<number>;
}

/** StepContext backed by a `GradientReducer` (local or across worker threads). */
export class ReducingStepContext implements StepContext {
  constructor(
    readonly epoch: number,
    readonly step: number,
    readonly stepsPerEpoch: number,
    readonly totalSteps: number,
    readonly rng: Rng,
    private readonly reducer: GradientReducer = localReducer,
    /** This replica's share of the global batch. */
    private readonly weight = 1,
  ) {}

  async minimize(
    optimizer: tf.Optimizer,
    loss: () => tf.Scalar,
    vars: tf.Variable[],
    options: MinimizeOptions = {},
  ): Promise<number> {
    if (vars.length === 0) throw new Error('minimize: no variables to update');
    const { value, grads } = tf.variableGrads(loss, vars);
    const lossValue = (await value.data())[0]!;
    value.dispose();
    if (this.reducer.allReduceArrays && takesGradientArrays(optimizer)) {
      let reduced: GradientArrays;
      try {
        reduced = await this.reducer.allReduceArrays(grads, this.weight);
      } finally {
        tf.dispose(grads);
      }
      optimizer.applyGradientArrays(scaleArrays(reduced, vars, options.gradScale));
    } else {
      await this.applyTensors(optimizer, grads, vars, options.gradScale);
    }
    return this.reducer.allReduceScalar(lossValue, this.weight);
  }

  /** Reduces `grads` as tensors, scales them in `vars` order and applies them (disposing every tensor). */
  private async applyTensors(optimizer: tf.Optimizer, grads: tf.NamedTensorMap, vars: tf.Variable[], gradScale?: Map<tf.Variable, number>): Promise<void> {
    const reduced = await this.reducer.allReduce(grads, this.weight);
    if (reduced !== grads) tf.dispose(grads);
    const scaled: tf.NamedTensorMap = {};
    const toDispose: tf.Tensor[] = [];
    for (const v of vars) {
      const g = reduced[v.name];
      if (!g) continue;
      const s = gradScale?.get(v);
      if (s !== undefined && s !== 1) {
        const gs = tf.mul(g, s);
        toDispose.push(gs);
        scaled[v.name] = gs;
      } else {
        scaled[v.name] = g;
      }
    }
    try {
      optimizer.applyGradients(scaled);
    } finally {
      tf.dispose(reduced);
      tf.dispose(toDispose);
    }
  }
}

/** Reduced arrays in `vars` order, scaled copies where `gradScale` says (the shared views stay untouched). */
function scaleArrays(reduced: GradientArrays, vars: tf.Variable[], gradScale?: Map<tf.Variable, number>): GradientArrays {
  const byName = new Map(reduced);
  const out: GradientArrays = [];
  for (const v of vars) {
    const g = byName.get(v.name);
    if (!g) continue;
    const s = gradScale?.get(v);
    // Scaled by the float32 factor, as tf.mul(g, s) does.
    const f = s === undefined ? 1 : Math.fround(s);
    out.push([v.name, f !== 1 ? g.map((x) => x * f) : g]);
  }
  return out;
}
