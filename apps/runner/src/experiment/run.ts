import * as tf from '@tensorflow/tfjs-core';
import * as path from 'node:path';
import YAML from 'yaml';
import {
  CheckpointManager,
  IernError,
  MetricsWriter,
  checkpointIncompatibilities,
  disposeStrategyTensors,
  encodeCheckpoint,
  formatConfusion,
  loadCheckpoint,
  restoreStrategy,
  strategyTensors,
  writeFileAtomic,
  type BestMetric,
  type CheckpointMeta,
  type BatchSource,
  type EvalResult,
  type GradientReducer,
  type TerminalProgress,
  type TrainerHooks,
} from '@iern/core';
import type { Experiment } from './assemble.js';
import { metricsHook, learningRates } from '../hooks/metrics.js';
import { progressHook } from '../hooks/progress.js';
import { startDataParallel } from '../parallel/start.js';
import { predictionRecords } from '../hooks/predictions.js';

export interface RunOptions {
  /** Run folder: metrics, TensorBoard events, checkpoints, predictions. Nothing is written without it. */
  workDir?: string;
  hooks?: TrainerHooks[];
  /** Progress line / metrics record every N steps (default `train.logInterval`). */
  logInterval?: number;
  /** Continue from this checkpoint (weights, optimisers, epoch, RNG, strategy state). */
  resume?: string;
  /** Draw a progress bar here instead of logging plain progress lines. */
  terminal?: TerminalProgress;
  /** Data-parallel gradient reducer (default: single process). */
  reducer?: GradientReducer;
}

export interface RunResult {
  test?: EvalResult;
  seconds: number;
  checkpoint?: string;
  /** First epoch trained (0-based; > 0 after a resume). */
  startEpoch: number;
  best?: BestMetric;
}

/** Mean of per-class accuracies (classes without samples left out). */
function meanClassAccuracy(r: EvalResult['report']): number {
  const accs = Object.values(r.perClass).filter((c) => c.total > 0).map((c) => c.accuracy);
  return accs.length ? accs.reduce((a, b) => a + b, 0) / accs.length : NaN;
}

/** Restores a run from a checkpoint into `exp`; returns the epoch to continue at and the best metric. */
async function resumeFrom(exp: Experiment, file: string): Promise<{ startEpoch: number; best?: BestMetric }> {
  const ckpt = await loadCheckpoint(file);
  try {
    const problems = checkpointIncompatibilities(ckpt.meta, exp.resolved.config as unknown as Record<string, unknown>, exp.classes);
    if (problems.length) throw new IernError(`cannot resume from ${file}: ${problems.join('; ')}`, 2);
    await restoreStrategy(exp.strategy, ckpt, file, true);
    const extra = ckpt.meta.extra;
    if (extra['strategyState'] && exp.strategy.setState) exp.strategy.setState(extra['strategyState'] as Record<string, unknown>);
    if (Array.isArray(extra['rng'])) exp.rng.setState(extra['rng'] as number[]);
    else throw new IernError(`cannot resume from ${file}: it has no RNG state (not written by iern train?)`, 2);
    return { startEpoch: ckpt.meta.epoch, best: extra['best'] as BestMetric | undefined };
  } finally {
    tf.dispose([...ckpt.tensors.values()]);
  }
}

/**
 * Trains the experiment (optionally resuming), evaluates on the test split, and writes the
 * run folder: metrics.jsonl/csv, TensorBoard events, checkpoints, results and predictions.
 */
export async function trainAndEvaluate(exp: Experiment, opts: RunOptions = {}): Promise<RunResult> {
  const { config } = exp.resolved;
  const t0 = performance.now();
  const logger = exp.logger;
  const epochs = config.train.epochs;
  const interval = opts.logInterval ?? config.train.logInterval;
  let startEpoch = 0;
  let best: BestMetric | undefined;
  if (opts.resume) {
    ({ startEpoch, best } = await resumeFrom(exp, opts.resume));
    logger.info(`resumed from ${opts.resume}: ${startEpoch} of ${epochs} epochs done`);
  }
  logger.info(
    `train: ${exp.datasets.train.samples.length} images, ${exp.classes.length} classes [${exp.classes.join(', ')}], ` +
      `${exp.confounders.length} confounders, strategy ${exp.strategy.type}, backbone ${exp.backbone.type}, ${epochs} epochs x ${exp.trainLoader.batchesPerEpoch()} steps`,
  );
  const wd = opts.workDir;
  const metrics = wd ? new MetricsWriter(wd, { keepEpochsBefore: opts.resume ? startEpoch + 1 : undefined }) : undefined;
  const ckpts = wd ? new CheckpointManager(wd, config.train.checkpoint) : undefined;
  if (ckpts) {
    ckpts.best = best;
    const stale = await ckpts.removeStaleTemps();
    if (stale) logger.warn(`removed ${stale} incomplete checkpoint temp file(s) left by an interrupted write`);
  }
  if (wd) logger.info(`writing metrics.jsonl, metrics.csv, TensorBoard events and checkpoints to ${wd}`);

  // Evaluation during training: on val when there is one, else test; every evalInterval epochs and at the end.
  const evalLoader: BatchSource | undefined = exp.valSource ?? exp.testSource;
  const evalSplit = exp.valLoader ? 'val' : 'test';
  let finalTest: EvalResult | undefined;
  const epochEnd: TrainerHooks = {
    async onEpochEnd(info) {
      const epoch = info.epoch + 1;
      const step = epoch * exp.trainLoader.batchesPerEpoch();
      const losses = Object.entries(info.losses).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(' ');
      const values: Record<string, number> = { ...info.losses };
      metrics?.write({ kind: 'epoch', epoch, step, ...info.losses, ...learningRates(exp.strategy), seconds: info.seconds, images_per_s: info.images / info.seconds });
      let evalNote = '';
      const due = (config.train.evalInterval > 0 && epoch % config.train.evalInterval === 0) || epoch === epochs;
      if (evalLoader && due) {
        const r = await exp.trainer.evaluate(exp.strategy, evalLoader, exp.classes, evalSplit === 'test' && epoch === epochs);
        if (evalSplit === 'test' && epoch === epochs) finalTest = r;
        const m = { accuracy: r.report.accuracy, mean_class_accuracy: meanClassAccuracy(r.report) };
        Object.assign(values, m);
        metrics?.write({ kind: evalSplit, epoch, step, ...m });
        evalNote = `, ${evalSplit} accuracy ${(m.accuracy * 100).toFixed(2)}%`;
      }
      logger.info(`epoch ${epoch}/${epochs} done in ${info.seconds.toFixed(1)}s (${(info.images / info.seconds).toFixed(1)} img/s) ${losses}${evalNote}`);
      await metrics?.flush();
      if (ckpts) {
        const saved = await ckpts.save(epoch, epoch === epochs, values[config.train.checkpoint.metric], async () => {
          const tensors = await strategyTensors(exp.strategy);
          try {
            return await encodeCheckpoint(tensors, checkpointMeta(exp, epoch, ckpts.best));
          } finally {
            disposeStrategyTensors(tensors, exp.strategy);
          }
        });
        if (saved.written.length) logger.info(`checkpoint: ${saved.written.map((f) => path.basename(f)).join(', ')}${saved.best ? ` (best ${config.train.checkpoint.metric} ${values[config.train.checkpoint.metric]!.toFixed(4)})` : ''}`);
      }
    },
  };
  const progress = progressHook({ epochs, terminal: opts.terminal, logger, interval });
  const hooks = [progress, ...(metrics ? [metricsHook(metrics, exp.strategy, interval)] : []), epochEnd, ...(opts.hooks ?? [])];
  if (startEpoch < epochs) {
    // Data parallelism (train.workers, ../parallel/start.ts); its hook goes first: it averages BatchNorm stats before checkpoints.
    const parallel = opts.reducer ? undefined : await startDataParallel(exp);
    try {
      await exp.trainer.fit(exp.strategy, exp.trainSource, { epochs, startEpoch, hooks: parallel ? [parallel.hooks, ...hooks] : hooks, reducer: opts.reducer ?? parallel?.reducer });
    } finally {
      await parallel?.close();
    }
  } else logger.info(`nothing to train: the checkpoint already has all ${epochs} epochs`);

  const result: RunResult = { seconds: 0, startEpoch, best: ckpts?.best };
  if (exp.testLoader) {
    result.test = finalTest ?? (await exp.trainer.evaluate(exp.strategy, exp.testSource!, exp.classes, true));
    const r = result.test.report;
    if (!finalTest) metrics?.write({ kind: 'test', epoch: epochs, step: epochs * exp.trainLoader.batchesPerEpoch(), accuracy: r.accuracy, mean_class_accuracy: meanClassAccuracy(r) });
    logger.info(`test accuracy ${(r.accuracy * 100).toFixed(2)}% (${r.correct}/${r.total})`);
    logger.info(`confusion matrix (rows = true class):\n${formatConfusion(r.confusion, exp.classes)}`);
  }
  if (wd) {
    await metrics!.flush();
    result.checkpoint = ckpts!.lastFile;
    if (result.test) {
      const { report } = result.test;
      await writeFileAtomic(path.join(wd, 'results.json'), JSON.stringify({ test: { ...report, meanClassAccuracy: meanClassAccuracy(report) }, confounders: exp.confounders, best: result.best }, null, 2));
      const lines = predictionRecords(result.test, exp.classes, exp.confounders).map((r) => JSON.stringify(r));
      await writeFileAtomic(path.join(wd, 'predictions.jsonl'), lines.join('\n') + '\n');
    }
    logger.info(`checkpoint: ${result.checkpoint}`);
  }
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}

/** Everything a checkpoint carries besides tensors: config, labels, position, RNG, strategy state. */
export function checkpointMeta(exp: Experiment, epoch: number, best: BestMetric | undefined): CheckpointMeta {
  const { config, file } = exp.resolved;
  const { backbone: _backbone, ...context } = exp.context;
  return {
    format: 'iern-checkpoint',
    version: 1,
    config: config as unknown as Record<string, unknown>,
    classes: exp.classes,
    confounders: exp.confounders,
    epoch,
    extra: {
      step: epoch * exp.trainLoader.batchesPerEpoch(),
      learningRates: learningRates(exp.strategy),
      rng: exp.rng.getState(),
      strategyState: exp.strategy.getState?.() ?? {},
      best,
      context,
      normalization: exp.trainLoader.options.normalization,
      configFile: file,
      savedAt: new Date().toISOString(),
    },
  };
}

export function configToYaml(cfg: unknown): string {
  return YAML.stringify(cfg, { lineWidth: 0 });
}
