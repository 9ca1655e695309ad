import * as tf from '@tensorflow/tfjs-core';
import { Module, Rng, disposeBatch, globalAvgPool, type Batch, type EpochContext, type ModelContext } from '@iern/core';
import { IernStepStrategy, type IernForward } from '../iern/step.js';
import { BufferSnapshot } from '../iern/buffers.js';
import { spatialDictionary } from '../iern/dictionary.js';
import { DictionaryAttention } from './attention.js';
import { alignClusters, kmeans } from './kmeans.js';
import type { BackdoorAttentionOptions } from './options.js';

/** The k-means dictionary as checkpointable buffers. */
class ClusterDictionary extends Module {
  readonly centres: tf.Variable;
  readonly prior: tf.Variable;
  constructor(k: number, channels: number) {
    super();
    this.centres = this.addBuffer('centres', tf.zeros([k, channels]));
    this.prior = this.addBuffer('prior', tf.fill([k], 1 / k));
  }
}

/**
 * Backdoor adjustment without confounder labels: the strata are k-means clusters of pooled
 * context (or backbone) features of the training set, refreshed every N epochs, with prior
 * P(z) = cluster frequency. The classifier combines f_c(g_r(e, z_k)) with per-sample
 * attention weights times the prior (an attention-weighted NWGM). The critic d_c and the
 * feature step's confusion loss use the cluster of each sample as its stratum.
 */
export class BackdoorAttentionStrategy extends IernStepStrategy {
  readonly type: string = 'backdoor-attention';
  readonly attention: DictionaryAttention;
  readonly dict: ClusterDictionary;
  private built = false;
  private refreshedAt = -1;
  private clusterSizes: number[] = [];

  constructor(ctx: ModelContext, readonly opts: BackdoorAttentionOptions) {
    const k = opts.clusters ?? (ctx.confounders.length > 1 ? ctx.confounders.length : 4);
    super(ctx, opts, { strata: k, centres: false });
    this.attention = new DictionaryAttention(opts.featureChannels, opts.attentionDim ?? opts.featureChannels, new Rng(ctx.seed + 404));
    this.dict = new ClusterDictionary(k, opts.featureChannels);
  }

  protected override extraClassifierVars(): tf.Variable[] {
    return this.attention.trainableVariables();
  }

  /** Pooled source feature ([N, C]) of a batch, in training mode, leaving running statistics as they were. */
  private pooledSource(batch: Batch): tf.Tensor2D {
    const snap = new BufferSnapshot([...this.ctx.backbone.namedVariables().values(), ...this.net.allVars('g_c')]);
    try {
      const { raw, owned } = this.backboneOutput(batch, true);
      const out = tf.tidy(() => {
        const f = this.net.adapter.apply(raw);
        return globalAvgPool(this.opts.source === 'backbone' ? f : this.net.gc.apply(f, true));
      });
      if (owned) raw.dispose();
      return out;
    } finally {
      snap.restore();
      snap.dispose();
    }
  }

  /** Rebuilds the dictionary by k-means over the whole training set. */
  async refresh(iterate: () => AsyncIterable<Batch>, epoch: number): Promise<void> {
    const k = this.strata;
    const c = this.opts.featureChannels;
    const rows: Float32Array[] = [];
    let n = 0;
    // the consumer of iterateTrainingSet owns (and disposes) its batches, as the training loop does
    for await (const batch of iterate()) {
      try {
        const t = this.pooledSource(batch);
        rows.push((await t.data()) as Float32Array);
        n += t.shape[0];
        t.dispose();
      } finally {
        disposeBatch(batch);
      }
    }
    const x = new Float32Array(n * c);
    let off = 0;
    for (const r of rows) {
      x.set(r, off);
      off += r.length;
    }
    const res = kmeans(x, n, c, k, this.opts.kmeansIterations, new Rng(this.ctx.seed + 505 + epoch));
    let centres = res.centres;
    let counts = res.counts;
    if (this.built) {
      const perm = alignClusters((await this.dict.centres.data()) as Float32Array, res.centres, k, c);
      centres = new Float32Array(k * c);
      perm.forEach((i, j) => centres.set(res.centres.subarray(i * c, i * c + c), j * c));
      counts = perm.map((i) => res.counts[i]!);
    }
    tf.tidy(() => {
      this.dict.centres.assign(tf.tensor2d(centres, [k, c]));
      this.dict.prior.assign(tf.tensor1d(counts.map((v) => v / n)));
    });
    this.built = true;
    this.refreshedAt = epoch;
    this.clusterSizes = counts;
  }

  async onEpochStart(ctx: EpochContext): Promise<void> {
    const due = !this.built || ctx.epoch - this.refreshedAt >= this.opts.refreshEvery;
    if (!due) return;
    if (!ctx.iterateTrainingSet) {
      throw new Error('backdoor-attention builds its dictionary from the training set: the training loop must pass iterateTrainingSet to onEpochStart');
    }
    await this.refresh(ctx.iterateTrainingSet, ctx.epoch);
  }

  /** The cluster of each sample: nearest dictionary entry to its pooled source feature. */
  protected async strataFor(_batch: Batch, fwd: Omit<IernForward, 'strata'>): Promise<tf.Tensor1D> {
    if (!this.built) {
      throw new Error('backdoor-attention: the dictionary is not built yet (onEpochStart with iterateTrainingSet runs k-means first)');
    }
    const z = tf.tidy(() => {
      const p = globalAvgPool(this.opts.source === 'backbone' ? fwd.f : fwd.c);
      const d = tf.sub(tf.sum(tf.square(this.dict.centres), 1), tf.mul(2, tf.matMul(p, this.dict.centres as tf.Tensor2D, false, true)));
      return tf.cast(tf.argMin(d, 1), 'int32') as tf.Tensor1D;
    });
    fwd.owned.push(z);
    return z;
  }

  protected centerLoss(): null {
    return null;
  }

  protected centerWeight(): number {
    return 0;
  }

  protected featureGradScale(): Map<tf.Variable, number> {
    return new Map();
  }

  dictionary(): tf.Tensor4D {
    return spatialDictionary(this.dict.centres as tf.Tensor2D, this.ctx.featureShape[0], this.ctx.featureShape[1]);
  }

  protected stratumWeights(e: tf.Tensor4D): tf.Tensor2D {
    return this.attention.weights(e, this.dict.centres as tf.Tensor2D, this.dict.prior as tf.Tensor1D);
  }

  override namedVariables(): Map<string, tf.Variable> {
    const out = super.namedVariables();
    for (const [k, v] of this.attention.namedVariables()) out.set(`attention.${k}`, v);
    for (const [k, v] of this.dict.namedVariables()) out.set(`dictionary.${k}`, v);
    return out;
  }

  override getState(): Record<string, unknown> {
    return { ...super.getState(), built: this.built, refreshedAt: this.refreshedAt, clusterSizes: this.clusterSizes, source: this.opts.source };
  }

  override setState(state: Record<string, unknown>): void {
    super.setState(state);
    if (typeof state['built'] === 'boolean') this.built = state['built'];
    if (typeof state['refreshedAt'] === 'number') this.refreshedAt = state['refreshedAt'];
    if (Array.isArray(state['clusterSizes'])) this.clusterSizes = state['clusterSizes'].map(Number);
  }

  override dispose(): void {
    super.dispose();
    this.attention.dispose();
    this.dict.dispose();
  }
}
