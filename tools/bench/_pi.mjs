import * as tf from '@tensorflow/tfjs-core';
import { activateBackend } from '@iern/core';
import { buildModel, randomBatch } from './model.mjs';
await activateBackend('wasm');
const { strategy, cfg } = await buildModel('fer-small', 'infer');
const b = randomBatch(cfg, cfg.batch, 3);
const run = async () => { const p = strategy.predict(b); const v = Object.values(p).find((t) => t instanceof tf.Tensor) ?? p; tf.dispose(p); };
await run(); await run();
const c0 = process.cpuUsage();
const prof = await tf.profile(run);
const cpu = process.cpuUsage(c0);
const agg = {};
for (const k of prof.kernels) { const t = await k.kernelTimeMs; agg[k.name] ??= { ms: 0, n: 0 }; agg[k.name].ms += t; agg[k.name].n++; }
console.log('cpu ms', (cpu.user + cpu.system) / 1000);
for (const [k, v] of Object.entries(agg).sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) console.log(k.padEnd(24), v.ms.toFixed(1), v.n);
