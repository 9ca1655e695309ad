import * as tf from '@tensorflow/tfjs-core';
import * as path from 'node:path';
import YAML from 'yaml';
import {
  formatConfusion,
  saveCheckpoint,
  strategyTensors,
  writeFileAtomic,
  type EvalResult,
  type TrainerHooks,
} from '@iern/core';
import type { Experiment } from './assemble.js';

export interface RunOptions {
  workDir?: string;
  hooks?: TrainerHooks[];
  /** Print a progress line every N steps. */
  logInterval?: number;
}

export interface RunResult {
  test?: EvalResult;
  seconds: number;
  checkpoint?: string;
}

/** Trains the experiment, evaluates on the test split, writes the checkpoint and results. */
export async function trainAndEvaluate(exp: Experiment, opts: RunOptions = {}): Promise<RunResult> {
  const { config } = exp.resolved;
  const t0 = performance.now();
  const logger = exp.logger;
  logger.info(
    `train: ${exp.datasets.train.samples.length} images, ${exp.classes.length} classes [${exp.classes.join(', ')}], ` +
      `${exp.confounders.length} confounders, strategy ${exp.strategy.type}, backbone ${exp.backbone.type}, ${config.train.epochs} epochs x ${exp.trainLoader.batchesPerEpoch()} steps`,
  );
  const interval = opts.logInterval ?? config.train.logInterval;
  const progress: TrainerHooks = {
    onStepEnd(info) {
      if ((info.stepInEpoch + 1) % interval === 0 || info.stepInEpoch + 1 === info.stepsPerEpoch) {
        const losses = Object.entries(info.losses).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(' ');
        logger.info(`epoch ${info.epoch + 1}/${config.train.epochs} step ${info.stepInEpoch + 1}/${info.stepsPerEpoch} ${losses} tensors ${info.numTensors}`);
      }
    },
    onEpochEnd(info) {
      const losses = Object.entries(info.losses).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(' ');
      logger.info(`epoch ${info.epoch + 1}/${info.epochs} done in ${info.seconds.toFixed(1)}s (${(info.images / info.seconds).toFixed(1)} img/s) ${losses}`);
    },
  };
  await exp.trainer.fit(exp.strategy, exp.trainLoader, { epochs: config.train.epochs, hooks: [progress, ...(opts.hooks ?? [])] });
  const result: RunResult = { seconds: 0 };
  if (exp.testLoader) {
    result.test = await exp.trainer.evaluate(exp.strategy, exp.testLoader, exp.classes);
    const r = result.test.report;
    logger.info(`test accuracy ${(r.accuracy * 100).toFixed(2)}% (${r.correct}/${r.total})`);
    logger.info(`confusion matrix (rows = true class):\n${formatConfusion(r.confusion, exp.classes)}`);
  }
  if (opts.workDir) {
    result.checkpoint = path.join(opts.workDir, 'last.ckpt');
    const tensors = await strategyTensors(exp.strategy);
    await saveCheckpoint(result.checkpoint, tensors, {
      format: 'iern-checkpoint',
      version: 1,
      config: config as unknown as Record<string, unknown>,
      classes: exp.classes,
      confounders: exp.confounders,
      epoch: config.train.epochs,
      extra: { strategyState: exp.strategy.getState?.() ?? {}, rng: exp.rng.getState() },
    });
    disposeOptimizerCopies(tensors, exp);
    if (result.test) {
      const { report } = result.test;
      await writeFileAtomic(path.join(opts.workDir, 'results.json'), JSON.stringify({ test: report }, null, 2));
    }
    logger.info(`checkpoint: ${result.checkpoint}`);
  }
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}

/** Optimiser weights returned by getWeights are copies for some optimisers; variables are not. */
function disposeOptimizerCopies(tensors: Map<string, tf.Tensor>, exp: Experiment): void {
  const vars = new Set(exp.strategy.namedVariables().values());
  for (const t of tensors.values()) if (!vars.has(t as tf.Variable) && !(t instanceof tf.Variable)) t.dispose();
}

export function configToYaml(cfg: unknown): string {
  return YAML.stringify(cfg, { lineWidth: 0 });
}
