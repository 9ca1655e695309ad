import * as tf from '@tensorflow/tfjs-core';
import * as path from 'node:path';
import { ConfigError, IernError, disposeBatch, selectBackend, writeFileAtomic, type BackendInfo, type Batch, type Logger } from '@iern/core';
import { resolveConfig } from '../experiment/resolve-config.js';
import { assembleExperiment, disposeExperiment, type Experiment } from '../experiment/assemble.js';
import { trainAndEvaluate } from '../experiment/run.js';
import { cellMetrics, stratumConsistency, type CellRef } from './cells.js';
import { linearProbe, type ProbeData } from './probe.js';

/** One training run of the study grid. */
export interface RunSpec {
  strategy: string;
  fold: number;
  ratio: number;
  seed: number;
  /** Experiment overrides: the strategy's, then the grid's, then the command line's. */
  overrides: string[];
}

/** What one run measured (accuracies in [0, 1]). */
export interface RunRecord {
  strategy: string;
  fold: number;
  ratio: number;
  seed: number;
  heldOut: number;
  seen: number;
  overall: number;
  counts: { heldOut: number; seen: number; train: number };
  heldOutConfusion: number[][];
  seenConfusion: number[][];
  /** Probe accuracy of the confounder from each pooled feature, on the test split. */
  leakage?: Record<string, number>;
  /** Majority-source rate of the probe's test split. */
  leakageChance?: number;
  /** Share of test images with one argmax under every stratum (strategies with strata). */
  consistency?: number;
  heldOutCells: CellRef[];
  /** Emotion class names (index order of the confusion matrices). */
  classes?: string[];
  seconds: number;
}

/** A run whose strategy type no installed plugin registers: reported as not run, the others go on. */
export function isUnknownStrategy(e: unknown): e is ConfigError {
  return e instanceof ConfigError && e.keyPath === 'model.strategy.type' && /^unknown/.test(e.problem);
}

export function runName(s: Pick<RunSpec, 'strategy' | 'fold' | 'ratio' | 'seed'>): string {
  return `${s.strategy}-r${s.ratio}-f${s.fold}-s${s.seed}`;
}

/** Grid overrides: fold and ratio for both splits, and the training seed. */
export function gridOverrides(fold: number, ratio: number, seed: number): string[] {
  return [`data.train.fold=${fold}`, `data.test.fold=${fold}`, `data.train.ratio=${ratio}`, `data.test.ratio=${ratio}`, `train.seed=${seed}`];
}

export interface RunOneOptions {
  experimentFile: string;
  logger: Logger;
  backend?: BackendInfo;
  analyses: { leakage: boolean; consistency: boolean };
  /** Folder for the per-run record (written as soon as the run ends). */
  runsDir?: string;
  /** Receives the class list of the experiment. */
  onClasses?: (classes: string[]) => void;
}

/** Trains and evaluates one run, then measures cells, leakage and stratum consistency. */
export async function runOne(spec: RunSpec, opts: RunOneOptions): Promise<{ record: RunRecord; backend: BackendInfo }> {
  const t0 = performance.now();
  const resolved = await resolveConfig(opts.experimentFile, spec.overrides);
  const backend = opts.backend ?? (await selectBackend(resolved.config.backend, opts.logger));
  // counted before the model exists: after disposing it, the count must be back here
  const before = tf.memory().numTensors;
  const exp = await assembleExperiment(resolved, { logger: opts.logger, backend });
  try {
    const heldOutCells = (exp.datasets.test as { heldOutCells?: CellRef[] } | undefined)?.heldOutCells;
    if (!exp.testSource || !heldOutCells) {
      throw new IernError(`study: the experiment's data.test must be a folded dataset that reports its held-out cells (e.g. synth-faces); got '${exp.datasets.test?.name ?? 'none'}' (${opts.experimentFile})`, 2);
    }
    opts.onClasses?.(exp.classes);
    // the run's own final test evaluation (with per-stratum logits) serves the study's metrics
    const { test: ev } = await trainAndEvaluate(exp, {});
    if (!ev) throw new IernError(`study: run ${runName(spec)} produced no test evaluation`, 1);
    const m = cellMetrics(ev, exp.classes, exp.confounders, heldOutCells);
    const record: RunRecord = {
      strategy: spec.strategy,
      fold: spec.fold,
      ratio: spec.ratio,
      seed: spec.seed,
      heldOut: m.heldOut.accuracy,
      seen: m.seen.accuracy,
      overall: m.overall.accuracy,
      counts: { heldOut: m.heldOut.total, seen: m.seen.total, train: exp.datasets.train.samples.length },
      heldOutConfusion: m.heldOutConfusion,
      seenConfusion: m.seenConfusion,
      heldOutCells,
      classes: exp.classes,
      seconds: 0,
    };
    if (opts.analyses.consistency) record.consistency = stratumConsistency(ev.perStratumLogits);
    if (opts.analyses.leakage && exp.strategy.features) {
      const train = await pooledFeatures(exp, 'train');
      const test = await pooledFeatures(exp, 'test');
      record.leakage = {};
      for (const key of Object.keys(train)) {
        if (!test[key]) continue;
        const r = linearProbe(train[key]!, test[key]!, exp.confounders.length, { seed: spec.seed });
        record.leakage[key] = r.accuracy;
        record.leakageChance = r.chance;
      }
    }
    record.seconds = (performance.now() - t0) / 1000;
    if (opts.runsDir) await writeFileAtomic(path.join(opts.runsDir, `${runName(spec)}.json`), JSON.stringify(record, null, 2));
    return { record, backend: exp.backend };
  } finally {
    await disposeExperiment(exp);
    const leaked = tf.memory().numTensors - before;
    if (leaked > 0) opts.logger.warn(`study: ${leaked} tensors left after run ${runName(spec)}`);
  }
}

/** Pooled features (`strategy.features`) of every image of a split, without augmentation, with confounder labels. */
async function pooledFeatures(exp: Experiment, split: 'train' | 'test'): Promise<Record<string, ProbeData>> {
  const loader = split === 'train' ? exp.trainSource : exp.testSource!;
  const out: Record<string, ProbeData> = {};
  for await (const batch of loader.epoch(undefined, false)) {
    try {
      await collect(exp, batch, out);
    } finally {
      disposeBatch(batch);
    }
  }
  return out;
}

async function collect(exp: Experiment, batch: Batch, out: Record<string, ProbeData>): Promise<void> {
  const feats = exp.strategy.features!(batch);
  const conf = Array.from(await batch.confounders.data());
  for (const [key, t] of Object.entries(feats)) {
    const [n, d] = t.shape;
    const data = (await t.data()) as Float32Array;
    const slot = (out[key] ??= { x: [], y: [] });
    for (let i = 0; i < n; i++) {
      slot.x.push(data.slice(i * d, (i + 1) * d));
      slot.y.push(conf[i]!);
    }
    t.dispose();
  }
}
