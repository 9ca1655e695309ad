import * as os from 'node:os';
import { fileURLToPath } from 'node:url';
import { DataParallel, type TrainerHooks } from '@iern/core';
import type { Experiment } from '../experiment/assemble.js';
import type { RunnerReplicaArgs } from './replica.js';

/** Replicas for `train.workers`: `auto` = every core; native TensorFlow backends use 1 (they thread internally). */
export function replicaCount(workers: number | 'auto', backend: string, cores = os.availableParallelism()): number {
  if (backend === 'tensorflow' || backend === 'tensorflow-gpu') return 1;
  return workers === 'auto' ? cores : workers;
}

export interface ParallelTraining {
  reducer: DataParallel;
  /** Must run before checkpoint/eval hooks: it averages BatchNorm statistics at epoch end. */
  hooks: TrainerHooks;
  close(): Promise<void>;
}

/**
 * Starts data-parallel replicas for `exp` when `train.workers` asks for more than one (worker
 * threads build the same experiment from the config file); undefined for a single replica.
 */
export async function startDataParallel(exp: Experiment): Promise<ParallelTraining | undefined> {
  const { config, file, overrides } = exp.resolved;
  // Cached features of a frozen backbone make steps so small that messaging would dominate.
  const cachedFeatures = (exp.trainSource as unknown) !== (exp.trainLoader as unknown);
  const replicas = cachedFeatures && config.train.workers === 'auto' ? 1 : replicaCount(config.train.workers, exp.backend.name);
  if (replicas <= 1) {
    const why = cachedFeatures && config.train.workers === 'auto' ? 'training on cached backbone features' : `backend ${exp.backend.name}`;
    exp.logger.info(`data-parallel: off (train.workers ${config.train.workers}, ${why})`);
    return undefined;
  }
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const args: RunnerReplicaArgs = { file, overrides: [...overrides, `backend=${exp.backend.name}`] };
  exp.logger.info(`data-parallel: train.workers ${config.train.workers} -> ${replicas} replicas on ${os.availableParallelism()} cores, backend ${exp.backend.name}`);
  const reducer = await DataParallel.start(exp.strategy, {
    replicas,
    factory: { module: fileURLToPath(new URL(`./replica${ext}`, import.meta.url)), args },
    logger: exp.logger,
  });
  return { reducer, hooks: reducer.hooks(), close: () => reducer.close() };
}
