#!/usr/bin/env node
// Per-kernel profile of one training step (after one warm-up step), to see where time goes:
//   node tools/bench/profile.mjs [fer-small|paper] [iern|baseline] [backend]
// Kernel times are wall-clock per kernel (tf.profile); "cpu ms" is the step's process CPU time.
import * as tf from '@tensorflow/tfjs-core';
import { activateBackend, ReducingStepContext, Rng, localReducer, disposeBatch } from '@iern/core';
import { buildModel, randomBatch } from './model.mjs';

const [config = 'fer-small', mode = 'baseline', backend = 'wasm'] = process.argv.slice(2);
await activateBackend(backend);
const { strategy, backbone, cfg } = await buildModel(config, mode);
const rng = new Rng(0);
const step = async () => {
  const b = randomBatch(cfg, Number(process.env.PROFILE_BATCH ?? cfg.batch), 3);
  await strategy.trainStep(b, new ReducingStepContext(0, 0, 100, 1000, rng, localReducer, 1));
  disposeBatch(b);
};
await step();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const prof = await tf.profile(step);
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const agg = {};
for (const k of prof.kernels) {
  const t = await k.kernelTimeMs;
  agg[k.name] ??= { ms: 0, n: 0 };
  agg[k.name].ms += typeof t === 'number' ? t : 0;
  agg[k.name].n++;
}
const rows = Object.entries(agg).sort((a, b) => b[1].ms - a[1].ms);
const total = rows.reduce((s, [, v]) => s + v.ms, 0);
console.log(`${config} ${mode} on ${backend}: step wall ${wall.toFixed(0)} ms, cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, kernels ${total.toFixed(0)} ms`);
for (const [name, v] of rows.slice(0, 30)) console.log(`${name.padEnd(32)} ${v.ms.toFixed(0).padStart(7)} ms ${String(v.n).padStart(5)} calls ${((100 * v.ms) / total).toFixed(1).padStart(5)}%`);
strategy.dispose();
backbone.dispose();
