import * as tf from '@tensorflow/tfjs-core';
import {
  FusedAdam,
  adam,
  SplitOptimizer,
  crossEntropy,
  globalAvgPool,
  gradientReversal,
  setLearningRate,
  recordForward,
  warmupConstantDecay,
  type RecordedForward,
  type Batch,
  type ModelContext,
  type Prediction,
  type StepContext,
  type Strategy,
} from '@iern/core';
import type { IernStepOptions } from '../backdoor/options.js';
import { IernNetwork, type IernNetworkOptions } from './network.js';
import { BufferSnapshot } from './buffers.js';
import { perStratumLogits } from './dictionary.js';
import { combineStrata } from './nwgm.js';
import { ScalarLog, accuracy, confusion } from './scalars.js';
import { LogitAdjustment } from '../logit-adjust/logit-adjust.js';

/** Tensors of the one shared forward pass that serves the critic and feature steps. */
export interface IernForward {
  /** Backbone output (before the adapter). */
  raw: tf.Tensor4D;
  /** f: adapter output, C channels. */
  f: tf.Tensor4D;
  /** e = g_e(f) and c = g_c(f) before this step's updates. */
  e: tf.Tensor4D;
  c: tf.Tensor4D;
  /** int32 [N] stratum of each sample (confounder label, or cluster for backdoor-attention). */
  strata: tf.Tensor1D;
  /** Running statistics right after the shared forward, restored after each re-run. */
  buffers: BufferSnapshot;
  /**
   * The backbone forward with its gradient tape kept (images and a trainable backbone): the
   * classifier step replays it instead of running the backbone again. Owns `raw`.
   */
  backboneTape?: RecordedForward<tf.Tensor4D>;
  /** g_e(f) and g_c(f) with their tapes: the feature step replays them (same weights). Own `e` and `c`. */
  eTape?: RecordedForward<tf.Tensor4D>;
  cTape?: RecordedForward<tf.Tensor4D>;
  /** Tensors this step owns (the batch owns cached features and labels). */
  owned: tf.Tensor[];
}

/**
 * The published three-optimiser IERN step (critic, feature, classifier) and NWGM inference.
 * Subclasses say where strata, the dictionary and the stratum weights come from.
 */
export abstract class IernStepStrategy implements Strategy {
  abstract readonly type: string;
  readonly net: IernNetwork;
  /** K. */
  readonly strata: number;
  readonly classes: number;
  protected readonly optDis: FusedAdam;
  protected readonly optFeat: FusedAdam;
  protected readonly optCls: FusedAdam;
  protected readonly optClsBackbone: FusedAdam;
  private clsSplitCache?: SplitOptimizer;
  /** Training-time log-prior of the emotion within each confounder (option `logitAdjust`). */
  private readonly adjustment?: LogitAdjustment;
  /**
   * Keep the shared forward's tapes: the feature step replays g_e and g_c, the classifier step
   * the backbone (same weights, same batch: the same gradients as a re-run, without running
   * those networks forward again). Off: re-run them.
   */
  protected reuseForward = true;

  constructor(
    protected readonly ctx: ModelContext,
    protected readonly stepOpts: IernStepOptions,
    net: Pick<IernNetworkOptions, 'strata' | 'centres'>,
  ) {
    this.strata = net.strata;
    this.classes = ctx.classes.length;
    this.net = new IernNetwork({
      ...net,
      backboneChannels: ctx.backbone.outputChannels,
      channels: stepOpts.featureChannels,
      featureSize: [ctx.featureShape[0], ctx.featureShape[1]],
      classes: this.classes,
      encoderBlocks: stepOpts.encoderBlocks,
      decoderBlocks: stepOpts.decoderBlocks,
      emotionCritic: stepOpts.emotionCritic?.critic,
      seed: ctx.seed + 202,
    });
    const [b1, b2] = stepOpts.betas;
    this.optDis = adam(stepOpts.lr, b1, b2);
    this.optFeat = adam(stepOpts.lr, b1, b2);
    this.optCls = adam(stepOpts.lr, b1, b2);
    this.optClsBackbone = adam(stepOpts.backboneLr, b1, b2);
    if (stepOpts.logitAdjust) this.adjustment = new LogitAdjustment(ctx, stepOpts.logitAdjust);
  }

  /** Routes the classifier step's gradients to `cls` and `clsBackbone` (built on first use: subclasses add variables). */
  private get clsSplit(): SplitOptimizer {
    this.clsSplitCache ??= new SplitOptimizer([
      [this.optCls, this.classifierVars()],
      [this.optClsBackbone, this.backboneVars()],
    ]);
    return this.clsSplitCache;
  }

  // ---- what subclasses provide -------------------------------------------------------

  /** int32 [N] stratum per sample, validated to lie in [0, K). */
  protected abstract strataFor(batch: Batch, fwd: Omit<IernForward, 'strata'>): Promise<tf.Tensor1D>;
  /** Center loss on the context feature (null when the strategy has no learnable centres). */
  protected abstract centerLoss(c: tf.Tensor4D, strata: tf.Tensor1D): tf.Scalar | null;
  /** The gradient scale of the feature step (the centres' 1/lambda). */
  protected abstract featureGradScale(): Map<tf.Variable, number>;
  /** Weight of the center loss in the feature step. */
  protected abstract centerWeight(): number;
  /** The dictionary z_1..z_K, [K, s, s, C], outside any gradient path. */
  abstract dictionary(): tf.Tensor4D;
  /** Stratum weights for the NWGM: [K] (a prior) or [N, K] (per-sample attention), summing to 1. */
  protected abstract stratumWeights(e: tf.Tensor4D, dictionary: tf.Tensor4D, training: boolean): tf.Tensor1D | tf.Tensor2D;
  /** Extra variables the classifier step trains (attention projections). */
  protected extraClassifierVars(): tf.Variable[] {
    return [];
  }

  // ---- parameter groups ----------------------------------------------------------------

  /** Critic step: d_e, d_c (and d_ez). */
  criticVars(): tf.Variable[] {
    return this.net.vars('d_e', 'd_c', 'd_ez');
  }
  /** Feature step: g_e, g_c, g_r and the centres. */
  featureVars(): tf.Variable[] {
    return this.net.vars('g_e', 'g_c', 'g_r', 'centres');
  }
  /** Classifier step at `lr`: g_e, f_c (+ extras). g_r is deliberately absent (lr 0 as published). */
  classifierVars(): tf.Variable[] {
    return [...this.net.vars('g_e', 'f_c'), ...this.extraClassifierVars()];
  }
  /** Classifier step at `backboneLr`: the backbone and its 1x1 adapter. */
  backboneVars(): tf.Variable[] {
    return [...this.ctx.backbone.trainableVariables(), ...this.net.vars('adapter')];
  }

  // ---- training ------------------------------------------------------------------------

  protected scheduleLr(step: StepContext): void {
    const factor = warmupConstantDecay(step.step / step.stepsPerEpoch, this.ctx.epochs, {
      warmupEpochs: this.stepOpts.warmupEpochs,
      decayStartEpoch: this.stepOpts.decayStartEpoch,
    });
    for (const o of [this.optDis, this.optFeat, this.optCls]) setLearningRate(o, this.stepOpts.lr * factor);
    setLearningRate(this.optClsBackbone, this.stepOpts.backboneLr * factor);
  }

  async trainStep(batch: Batch, step: StepContext): Promise<Record<string, number>> {
    this.scheduleLr(step);
    const fwd = await this.forward(batch);
    try {
      const critic = await this.criticStep(fwd, batch, step);
      const feature = await this.featureStep(fwd, batch, step);
      const cls = await this.classifierStep(fwd, batch, step);
      return { ...critic, ...feature, ...cls };
    } finally {
      this.release(fwd);
    }
  }

  /** Backbone output for a batch: the cached features when the batch carries them. */
  protected backboneOutput(batch: Batch, training: boolean): { raw: tf.Tensor4D; owned: boolean } {
    if (batch.features) return { raw: batch.features, owned: false };
    if (!batch.images) throw new Error('batch has neither images nor features');
    return { raw: this.ctx.backbone.apply(batch.images, training), owned: true };
  }

  /**
   * The shared forward pass in training mode (one update of the running statistics of the
   * backbone, g_e and g_c per step, as in the published single forward).
   */
  async forward(batch: Batch): Promise<IernForward> {
    let backboneTape: RecordedForward<tf.Tensor4D> | undefined;
    let raw: tf.Tensor4D;
    let owned: boolean;
    if (this.reuseForward && this.backboneTrainsOn(batch)) {
      backboneTape = recordForward(() => this.ctx.backbone.apply(batch.images!, true), this.ctx.backbone.trainableVariables());
      raw = backboneTape.output;
      owned = false;
    } else {
      ({ raw, owned } = this.backboneOutput(batch, true));
    }
    const f = tf.tidy(() => this.net.adapter.apply(raw));
    let eTape: RecordedForward<tf.Tensor4D> | undefined;
    let cTape: RecordedForward<tf.Tensor4D> | undefined;
    let e: tf.Tensor4D;
    let c: tf.Tensor4D;
    if (this.reuseForward) {
      eTape = recordForward(() => this.net.ge.apply(f, true), this.net.vars('g_e'));
      cTape = recordForward(() => this.net.gc.apply(f, true), this.net.vars('g_c'));
      [e, c] = [eTape.output, cTape.output];
    } else {
      [e, c] = [this.net.ge.apply(f, true), this.net.gc.apply(f, true)];
    }
    const buffers = new BufferSnapshot([...this.ctx.backbone.namedVariables().values(), ...this.net.allVars('g_e', 'g_c')]);
    const partial = { raw, f, e, c, buffers, backboneTape, eTape, cTape, owned: [...(owned ? [raw] : []), f, ...(eTape ? [] : [e, c])] };
    try {
      const strata = await this.strataFor(batch, partial);
      return { ...partial, strata };
    } catch (err) {
      this.release(partial);
      throw err;
    }
  }

  release(fwd: Pick<IernForward, 'owned' | 'buffers' | 'backboneTape' | 'eTape' | 'cTape'>): void {
    tf.dispose(fwd.owned);
    fwd.backboneTape?.dispose();
    fwd.eTape?.dispose();
    fwd.cTape?.dispose();
    fwd.buffers.dispose();
  }

  /** Whether the classifier step differentiates the backbone on this batch (images, not cached features). */
  private backboneTrainsOn(batch: Batch): boolean {
    return !batch.features && !!batch.images && this.ctx.backbone.trainableVariables().length > 0;
  }

  /** Step 1 (optimiser `dis`): (CE(d_e(sg e), y) + CE(d_c(sg c), z)) / 2 [+ CE(d_ez(sg e), z)]. */
  async criticStep(fwd: IernForward, batch: Batch, step: StepContext): Promise<Record<string, number>> {
    const log = new ScalarLog();
    const loss = () => {
      const de = this.net.de.apply(fwd.e);
      const dc = this.net.dc.apply(fwd.c);
      log.put('deAcc', accuracy(de, batch.emotions));
      log.put('dcAcc', accuracy(dc, fwd.strata));
      let l = tf.div(tf.add(crossEntropy(de, batch.emotions), crossEntropy(dc, fwd.strata)), 2) as tf.Scalar;
      if (this.net.dez) {
        const dez = this.net.dez.apply(fwd.e);
        const lez = log.put('dezCritic', crossEntropy(dez, fwd.strata));
        log.put('dezAcc', accuracy(dez, fwd.strata));
        l = tf.add(l, lez);
      }
      return l;
    };
    try {
      const value = await step.minimize(this.optDis, loss, this.criticVars());
      return { critic: value, ...(await log.read()) };
    } finally {
      log.dispose();
    }
  }

  /**
   * Step 2 (optimiser `feat`, critics frozen): confusion + lambda * center + reconstruction
   * [+ the emotion-critic adversarial term]. The centres' gradient is scaled by 1/lambda.
   */
  async featureStep(fwd: IernForward, batch: Batch, step: StepContext): Promise<Record<string, number>> {
    const log = new ScalarLog();
    const ec = this.stepOpts.emotionCritic;
    const loss = () => {
      const e = fwd.eTape ? fwd.eTape.replay() : this.net.ge.apply(fwd.f, true);
      const c = fwd.cTape ? fwd.cTape.replay() : this.net.gc.apply(fwd.f, true);
      const conf = tf.div(tf.add(confusion(this.net.dc.apply(e)), confusion(this.net.de.apply(c))), 2) as tf.Scalar;
      const recon = tf.losses.meanSquaredError(fwd.f, this.net.gr.apply(e, c, true)) as tf.Scalar;
      let l = tf.add(log.put('confusion', conf), log.put('recon', recon)) as tf.Scalar;
      const center = this.centerLoss(c, fwd.strata);
      if (center) l = tf.add(l, tf.mul(log.put('center', center), this.centerWeight()));
      if (this.net.dez && ec) {
        const adv =
          ec.mode === 'reversal'
            ? crossEntropy(this.net.dez.apply(gradientReversal(e)), fwd.strata)
            : confusion(this.net.dez.apply(e));
        l = tf.add(l, tf.mul(log.put('dezAdv', adv), ec.weight));
      }
      return l;
    };
    try {
      const value = await step.minimize(this.optFeat, loss, this.featureVars(), { gradScale: this.featureGradScale() });
      return { feature: value, ...(await log.read()) };
    } finally {
      log.dispose();
      fwd.buffers.restore();
    }
  }

  /**
   * Step 3 (optimiser `cls`: g_e, f_c at lr; backbone + adapter at backboneLr): CE of the
   * NWGM logits. e is recomputed with the g_e the feature step just updated (the published
   * code reuses the e of the shared forward); g_r runs in training mode but is not updated.
   * The backbone has not changed since the shared forward, so its gradient comes from that
   * forward's recorded tape (or a re-run when `reuseForward` is off).
   */
  async classifierStep(fwd: IernForward, batch: Batch, step: StepContext): Promise<Record<string, number>> {
    const log = new ScalarLog();
    const rerunBackbone = !fwd.backboneTape && this.backboneTrainsOn(batch);
    const loss = () => {
      const raw = fwd.backboneTape ? fwd.backboneTape.replay() : rerunBackbone ? this.ctx.backbone.apply(batch.images!, true) : fwd.raw;
      const e = this.net.ge.apply(this.net.adapter.apply(raw), true);
      const dict = this.dictionary();
      const per = perStratumLogits(this.net.gr, this.net.fc, e, dict, true, this.stepOpts.stackStrata);
      const logits = combineStrata(per, this.stratumWeights(e, dict, true));
      log.put('acc', accuracy(logits, batch.emotions));
      return crossEntropy(this.adjustment ? this.adjustment.apply(logits, batch.confounders) : logits, batch.emotions);
    };
    try {
      const value = await step.minimize(this.clsSplit, loss, [...this.classifierVars(), ...this.backboneVars()]);
      return { cls: value, ...(await log.read()) };
    } finally {
      log.dispose();
      fwd.buffers.restore();
    }
  }

  // ---- inference -----------------------------------------------------------------------

  predict(batch: Batch): Prediction {
    const { raw, owned } = this.backboneOutput(batch, false);
    try {
      return tf.tidy(() => {
        const e = this.net.ge.apply(this.net.adapter.apply(raw), false);
        const dict = this.dictionary();
        const per = perStratumLogits(this.net.gr, this.net.fc, e, dict, false, false);
        return { logits: combineStrata(per, this.stratumWeights(e, dict, false)), perStratumLogits: per };
      });
    } finally {
      if (owned) raw.dispose();
    }
  }

  /** Pooled features for probes: `f` (adapter output), `e`, `c`. */
  features(batch: Batch): Record<string, tf.Tensor2D> {
    const { raw, owned } = this.backboneOutput(batch, false);
    try {
      return tf.tidy(() => {
        const f = this.net.adapter.apply(raw);
        return {
          f: globalAvgPool(f),
          e: globalAvgPool(this.net.ge.apply(f, false)),
          c: globalAvgPool(this.net.gc.apply(f, false)),
        };
      });
    } finally {
      if (owned) raw.dispose();
    }
  }

  // ---- state ---------------------------------------------------------------------------

  namedVariables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [k, v] of this.ctx.backbone.namedVariables()) out.set(`backbone.${k}`, v);
    for (const [k, v] of this.net.namedVariables()) out.set(k, v);
    return out;
  }

  optimizers(): Record<string, tf.Optimizer> {
    return { dis: this.optDis, feat: this.optFeat, cls: this.optCls, clsBackbone: this.optClsBackbone };
  }

  /** Architecture facts; `setState` refuses a state from a different architecture. */
  getState(): Record<string, unknown> {
    return {
      type: this.type,
      strata: this.strata,
      channels: this.stepOpts.featureChannels,
      featureSize: [this.ctx.featureShape[0], this.ctx.featureShape[1]],
      emotionCritic: this.stepOpts.emotionCritic?.critic ?? null,
    };
  }

  setState(state: Record<string, unknown>): void {
    const mine = this.getState();
    for (const key of ['type', 'strata', 'channels', 'featureSize', 'emotionCritic']) {
      if (key in state && JSON.stringify(state[key]) !== JSON.stringify(mine[key])) {
        throw new Error(`strategy state: '${key}' is ${JSON.stringify(state[key])} in the checkpoint but ${JSON.stringify(mine[key])} in this model`);
      }
    }
  }

  dispose(): void {
    this.net.dispose();
    for (const o of Object.values(this.optimizers())) o.dispose();
    this.adjustment?.dispose();
  }
}
