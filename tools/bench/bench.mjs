#!/usr/bin/env node
// iern training/inference benchmark (issue 3). Run through `npm run bench -- [options]`:
//   --config fer-small|paper|all   (default fer-small)
//   --backend NAME[,NAME]|all      tensorflow-gpu, tensorflow, wasm, cpu (default: all that load, cpu excluded)
//   --mode train|infer|loader|all  (default all: training rows, inference, the loader); single
//                                  training rows: iern, baseline, iern-cached, baseline-cached
//   --workers N|auto               data-parallel replicas on wasm/cpu (default auto = every core)
//   --steps N --warmup N           timed (default 3) and warm-up (default 2) steps
//   --json                         one JSON object per row on stdout
// Rows (mode): iern, baseline (training steps), iern-cached, baseline-cached (frozen backbone,
// cached features), infer (predict), loader (JPEG decode + batching).
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { DataParallel, ReducingStepContext, Rng, activateBackend, describeBackend, disposeBatch, localReducer } from '@iern/core';
import { CONFIGS, availability, buildModel, randomBatch } from './model.mjs';
import { loaderRow } from './loader.mjs';

const HELP = `npm run bench -- [options]
  --config fer-small|paper|all   (default fer-small)
  --backend NAME[,NAME]|all      tensorflow-gpu, tensorflow, wasm, cpu (default: all that load, cpu excluded)
  --mode train|infer|loader|all  (default all); single training rows: iern, baseline, iern-cached, baseline-cached
  --workers N|auto               data-parallel replicas on wasm/cpu (default auto = every core)
  --steps N --warmup N           timed (default 3, at least 3) and warm-up (default 2) steps
  --json                         one JSON object per row on stdout
`;

/** Training rows in print order. Until the IERN strategy is registered, the baseline rows come first and iern is skipped. */
const TRAIN_ROWS = ['iern', 'baseline', 'iern-cached', 'baseline-cached'];

function parseArgs(argv) {
  const o = { config: 'fer-small', backend: 'all', mode: 'all', workers: 'auto', steps: 3, warmup: 2, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--help' || a === '-h') {
      process.stdout.write(HELP);
      process.exit(0);
    } else if (a === '--json') o.json = true;
    else if (a === '--config') o.config = val();
    else if (a === '--backend') o.backend = val();
    else if (a === '--mode') o.mode = val();
    else if (a === '--workers') o.workers = val();
    else if (a === '--steps') o.steps = Number(val());
    else if (a === '--warmup') o.warmup = Number(val());
    else throw new Error(`unknown option ${a} (see --help)`);
  }
  if (!(o.steps >= 3)) throw new Error('--steps must be at least 3');
  const configs = o.config === 'all' ? Object.keys(CONFIGS) : o.config.split(',');
  for (const c of configs) if (!CONFIGS[c]) throw new Error(`--config ${c}: expected ${Object.keys(CONFIGS).join(', ')} or all`);
  // `train` = every training row; single rows can be named too (iern, baseline, iern-cached, baseline-cached).
  const modes = (o.mode === 'all' ? ['train', 'infer', 'loader'] : o.mode.split(',')).flatMap((m) => (m === 'train' ? TRAIN_ROWS : [m]));
  for (const m of modes) if (![...TRAIN_ROWS, 'infer', 'loader'].includes(m)) throw new Error(`--mode ${m}: expected train, ${TRAIN_ROWS.join(', ')}, infer, loader or all`);
  return { ...o, configs, modes };
}

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);
const peakRssMB = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** Backends to run: the requested ones, or every one that loads (cpu only when asked: minutes per ResNet step). */
async function backendsToRun(spec) {
  const wanted = spec === 'all' ? ['tensorflow-gpu', 'tensorflow', 'wasm'] : spec.split(',');
  const ok = [];
  for (const name of wanted) {
    try {
      const info = await activateBackend(name);
      ok.push({ name, info });
    } catch (e) {
      log(`backend ${name}: skipped (${String(e.message).split('\n')[0]})`);
    }
  }
  return ok;
}

function replicasFor(backend, workers) {
  if (backend === 'tensorflow' || backend === 'tensorflow-gpu') return 1;
  return workers === 'auto' ? os.availableParallelism() : Math.max(1, Number(workers));
}

/** Training rows: `steps` timed steps after `warmup` ones, data-parallel when replicas > 1. */
async function trainRow(config, mode, backend, o) {
  const { strategy, backbone, cfg, avail, featureShape } = await buildModel(config, mode);
  const replicas = replicasFor(backend, o.workers);
  let dp;
  try {
    if (replicas > 1) {
      dp = await DataParallel.start(strategy, {
        replicas,
        factory: { module: fileURLToPath(new URL('./replica.mjs', import.meta.url)), args: { config, mode, backend } },
      });
    }
    const reducer = dp ?? localReducer;
    const rng = new Rng(0);
    const batchSource = randomBatch(cfg, cfg.batch, 3, featureShape);
    let step = 0;
    const once = async () => {
      // A fresh copy every step: the loop disposes batches like the Trainer does.
      const batch = {
        ...batchSource,
        images: batchSource.images && tf.clone(batchSource.images),
        features: batchSource.features && tf.clone(batchSource.features),
        emotions: tf.clone(batchSource.emotions),
        confounders: tf.clone(batchSource.confounders),
      };
      const info = { epoch: 0, step, stepsPerEpoch: 100, totalSteps: 1000, rng };
      const part = dp ? await dp.shard(batch, info) : { batch, weight: 1 };
      const ctx = new ReducingStepContext(0, step, 100, 1000, rng, reducer, part.weight);
      try {
        await strategy.trainStep(part.batch, ctx);
      } finally {
        disposeBatch(batch);
        if (part.batch !== batch) disposeBatch(part.batch);
      }
      step++;
    };
    for (let i = 0; i < o.warmup; i++) await once();
    const tensorsBefore = tf.memory().numTensors;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < o.steps; i++) await once();
    if (dp) await dp.averageBuffers(); // waits for the workers' last step too
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const tensorsAfter = tf.memory().numTensors;
    disposeBatch(batchSource);
    return {
      config,
      backend,
      mode,
      imagesPerSec: +((o.steps * cfg.batch) / seconds).toFixed(2),
      peakRssMB: peakRssMB(),
      tensorsBefore,
      tensorsAfter,
      replicas,
      backbone: avail.backbone,
      strategy: avail.strategy,
      batch: cfg.batch,
      size: cfg.size,
      secondsPerStep: +(seconds / o.steps).toFixed(3),
      // CPU seconds of all threads per step: what the step costs when the machine is shared.
      cpuSecondsPerStep: +((cpu.user + cpu.system) / 1e6 / o.steps).toFixed(3),
      ...(avail.note ? { note: avail.note } : {}),
    };
  } finally {
    await dp?.close();
    strategy.dispose();
    backbone.dispose(); // strategies do not own the backbone
  }
}

/** Inference rows: every replica (this thread + workers) predicts its own batches concurrently. */
async function inferRow(config, backend, o) {
  const { strategy, backbone, cfg, avail } = await buildModel(config, 'infer');
  const replicas = replicasFor(backend, o.workers);
  const workers = Array.from({ length: replicas - 1 }, () =>
    new Worker(new URL('./infer-worker.mjs', import.meta.url), { workerData: { config, backend, warmup: o.warmup, steps: o.steps, batch: cfg.batch } }),
  );
  const next = (w, type) =>
    new Promise((resolve, reject) => {
      w.once('message', (m) => (m.type === 'error' ? reject(new Error(m.message)) : m.type === type ? resolve(m) : reject(new Error(`expected ${type}, got ${m.type}`))));
      w.once('error', reject);
    });
  const batch = randomBatch(cfg, cfg.batch, 5);
  const run = async () => {
    const p = strategy.predict(batch);
    await p.logits.data();
    tf.dispose([p.logits, p.perStratumLogits].filter(Boolean));
  };
  try {
    const ready = workers.map((w) => next(w, 'ready'));
    for (let i = 0; i < o.warmup; i++) await run();
    await Promise.all(ready);
    const tensorsBefore = tf.memory().numTensors;
    const done = workers.map((w) => next(w, 'done'));
    for (const w of workers) w.postMessage('go');
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < o.steps; i++) await run();
    const mine = (performance.now() - t0) / 1000;
    const theirs = (await Promise.all(done)).map((m) => m.seconds);
    const seconds = Math.max(mine, ...theirs);
    const cpu = process.cpuUsage(cpu0);
    return {
      config,
      backend,
      mode: 'infer',
      imagesPerSec: +((replicas * o.steps * cfg.batch) / seconds).toFixed(2),
      peakRssMB: peakRssMB(),
      tensorsBefore,
      tensorsAfter: tf.memory().numTensors,
      // CPU seconds (all threads) per batch of `batch` images.
      cpuSecondsPerStep: +((cpu.user + cpu.system) / 1e6 / (replicas * o.steps)).toFixed(3),
      replicas,
      backbone: avail.backbone,
      strategy: avail.strategy,
      batch: cfg.batch,
      size: cfg.size,
      ...(avail.note ? { note: avail.note } : {}),
    };
  } finally {
    disposeBatch(batch);
    strategy.dispose();
    backbone.dispose(); // strategies do not own the backbone
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function printRow(row, json) {
  if (json) process.stdout.write(JSON.stringify(row) + '\n');
  else {
    process.stdout.write(
      `${row.config.padEnd(10)} ${row.backend.padEnd(15)} ${row.mode.padEnd(8)} ${String(row.imagesPerSec).padStart(8)} img/s  ` +
        `peak RSS ${row.peakRssMB} MB  tensors ${row.tensorsBefore} -> ${row.tensorsAfter}  ${row.replicas} replica(s), ${row.backbone}/${row.strategy}${row.note ? `  (${row.note})` : ''}\n`,
    );
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const backends = await backendsToRun(o.backend);
  if (!backends.length) throw new Error('no backend could be loaded');
  log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  for (const config of o.configs) {
    for (const { name, info } of backends) {
      await activateBackend(name);
      log(`${config} on ${describeBackend(info)}`);
      // `-cached`: frozen backbone, features from the feature cache (the backbone never runs).
      for (const mode of TRAIN_ROWS.filter((m) => o.modes.includes(m))) {
        const avail = availability(config, mode);
        if (!avail.strategy) {
          log(`${config} ${mode}: skipped (${avail.note})`);
          continue;
        }
        printRow(await trainRow(config, mode, name, o), o.json);
      }
      if (o.modes.includes('infer')) printRow(await inferRow(config, name, o), o.json);
    }
    if (o.modes.includes('loader')) {
      const cfg = CONFIGS[config];
      const t = tf.memory().numTensors;
      const r = await loaderRow(cfg);
      const row = { config, backend: tf.getBackend(), mode: 'loader', imagesPerSec: r.decodePerSec, cachedImagesPerSec: r.cachedPerSec, peakRssMB: peakRssMB(), tensorsBefore: t, tensorsAfter: tf.memory().numTensors, size: cfg.size, batch: cfg.batch };
      if (o.json) process.stdout.write(JSON.stringify(row) + '\n');
      else process.stdout.write(`${config.padEnd(10)} ${'loader'.padEnd(24)} ${String(row.imagesPerSec).padStart(8)} img/s (JPEG decode+resize+batch; ${row.cachedImagesPerSec} img/s from the decoded cache)\n`);
    }
  }
  log(`load average after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

main().catch((e) => {
  process.stderr.write(`bench: ${e?.stack ?? e}\n`);
  process.exit(1);
});
