import * as tf from '@tensorflow/tfjs-core';
import { inject, injectable } from 'tsyringe';
import { TOKENS } from '../di/tokens.js';
import type { Logger } from '../logging/logger.js';
import type { Strategy } from '../model/strategy.js';
import type { BatchSource } from '../data/batch-source.js';
import { disposeBatch, type Batch } from '../data/batch.js';
import { Rng } from '../util/rng.js';
import { ReducingStepContext, localReducer, type GradientReducer } from './step-context.js';
import { classificationReport, type ClassificationReport } from '../metrics/classification.js';

/** Passed to hooks after every step. */
export interface StepInfo {
  epoch: number;
  step: number;
  stepInEpoch: number;
  stepsPerEpoch: number;
  batchSize: number;
  losses: Record<string, number>;
  numTensors: number;
  seconds: number;
}

/** Passed to hooks after every epoch. */
export interface EpochInfo {
  epoch: number;
  epochs: number;
  /** Mean of each loss over the epoch. */
  losses: Record<string, number>;
  seconds: number;
  images: number;
}

/** Lightning-style callbacks; the runner adds logging, metrics files, checkpoints, progress. */
export interface TrainerHooks {
  onEpochStart?(epoch: number): void | Promise<void>;
  onStepEnd?(info: StepInfo): void | Promise<void>;
  /** Returning `'stop'` ends training after this epoch. */
  onEpochEnd?(info: EpochInfo): void | Promise<void | 'stop'>;
}

export interface FitOptions {
  epochs: number;
  /** First epoch to run (0-based), for resume. */
  startEpoch?: number;
  hooks?: TrainerHooks[];
  reducer?: GradientReducer;
}

/** Per-sample evaluation output. */
export interface EvalResult {
  report: ClassificationReport;
  ids: string[];
  labels: number[];
  preds: number[];
  confounders: number[];
  /** [N][E] softmax probabilities. */
  probs: number[][];
  /** [N][K][E] per-stratum logits, when the strategy has strata. */
  perStratumLogits?: number[][][];
}

/** The training loop: epochs of batches, `strategy.trainStep`, hooks. It never knows which strategy it runs. */
@injectable()
export class Trainer {
  constructor(
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Rng) private readonly rng: Rng,
  ) {}

  async fit(strategy: Strategy, loader: BatchSource, opts: FitOptions): Promise<void> {
    await loader.prepare();
    const stepsPerEpoch = loader.batchesPerEpoch();
    const totalSteps = stepsPerEpoch * opts.epochs;
    const hooks = opts.hooks ?? [];
    for (let epoch = opts.startEpoch ?? 0; epoch < opts.epochs; epoch++) {
      for (const h of hooks) await h.onEpochStart?.(epoch);
      await strategy.onEpochStart?.({ epoch, iterateTrainingSet: () => loader.epoch(undefined, false) });
      const t0 = performance.now();
      const sums: Record<string, number> = {};
      let images = 0;
      let stepInEpoch = 0;
      const epochRng = this.rng.fork();
      for await (const batch of loader.epoch(epochRng)) {
        const ts = performance.now();
        const step = epoch * stepsPerEpoch + stepInEpoch;
        const reducer = opts.reducer ?? localReducer;
        // Data-parallel reducers hand back this replica's shard of the batch (and its weight).
        const part = reducer.shard ? await reducer.shard(batch, { epoch, step, stepsPerEpoch, totalSteps, rng: epochRng }) : { batch, weight: 1 };
        const ctx = new ReducingStepContext(epoch, step, stepsPerEpoch, totalSteps, epochRng, reducer, part.weight);
        let losses: Record<string, number>;
        try {
          losses = await strategy.trainStep(part.batch, ctx);
        } finally {
          disposeBatch(batch);
          if (part.batch !== batch) disposeBatch(part.batch);
        }
        for (const [k, v] of Object.entries(losses)) sums[k] = (sums[k] ?? 0) + v;
        images += batch.size;
        const info: StepInfo = {
          epoch,
          step,
          stepInEpoch,
          stepsPerEpoch,
          batchSize: batch.size,
          losses,
          numTensors: tf.memory().numTensors,
          seconds: (performance.now() - ts) / 1000,
        };
        for (const h of hooks) await h.onStepEnd?.(info);
        stepInEpoch++;
      }
      const means = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / Math.max(1, stepInEpoch)]));
      const info: EpochInfo = { epoch, epochs: opts.epochs, losses: means, seconds: (performance.now() - t0) / 1000, images };
      let stop = false;
      for (const h of hooks) if ((await h.onEpochEnd?.(info)) === 'stop') stop = true;
      if (stop) break;
    }
  }

  /** Runs inference over a loader (no augmentation) and scores it. */
  async evaluate(strategy: Strategy, loader: BatchSource, classes: string[], keepStrata = false): Promise<EvalResult> {
    const out: EvalResult = {
      report: classificationReport([], [], classes),
      ids: [],
      labels: [],
      preds: [],
      confounders: [],
      probs: [],
      perStratumLogits: keepStrata ? [] : undefined,
    };
    for await (const batch of loader.epoch(undefined, false)) {
      try {
        await this.collect(strategy, batch, out, keepStrata);
      } finally {
        disposeBatch(batch);
      }
    }
    out.report = classificationReport(out.labels, out.preds, classes);
    return out;
  }

  private async collect(strategy: Strategy, batch: Batch, out: EvalResult, keepStrata: boolean): Promise<void> {
    const pred = strategy.predict(batch);
    const [probs, arg, labels, conf] = tf.tidy(() => [tf.softmax(pred.logits), tf.argMax(pred.logits, 1), batch.emotions, batch.confounders].map((t) => tf.clone(t)));
    const [p, a, l, c] = await Promise.all([probs!.array(), arg!.data(), labels!.data(), conf!.data()]);
    if (keepStrata && pred.perStratumLogits) out.perStratumLogits!.push(...((await pred.perStratumLogits.array()) as number[][][]));
    tf.dispose([probs!, arg!, labels!, conf!, pred.logits, pred.perStratumLogits].filter(Boolean) as tf.Tensor[]);
    out.ids.push(...batch.ids);
    out.probs.push(...(p as number[][]));
    out.preds.push(...Array.from(a));
    out.labels.push(...Array.from(l));
    out.confounders.push(...Array.from(c));
  }
}
