import * as tf from '@tensorflow/tfjs-core';
import { activateBackend, ReducingStepContext, Rng, localReducer, disposeBatch } from '@iern/core';
import { buildModel, randomBatch } from './model.mjs';
await activateBackend('wasm');
const { strategy, cfg } = await buildModel('fer-small', process.argv[2] ?? 'baseline');
const rng = new Rng(0);
const step = async () => { const b = randomBatch(cfg, cfg.batch, 3); await strategy.trainStep(b, new ReducingStepContext(0,0,100,1000,rng,localReducer,1)); disposeBatch(b); };
await step();
const cpu0 = process.cpuUsage();
const prof = await tf.profile(step);
const cpu = process.cpuUsage(cpu0);
const agg = {};
for (const k of prof.kernels) { const t = await k.kernelTimeMs; const key = k.name; agg[key] = agg[key] ?? { ms: 0, n: 0 }; agg[key].ms += typeof t === 'number' ? t : 0; agg[key].n++; }
const rows = Object.entries(agg).sort((a, b) => b[1].ms - a[1].ms);
let tot = 0; for (const [, v] of rows) tot += v.ms;
console.log('total kernel ms', tot.toFixed(0), 'cpu ms', ((cpu.user + cpu.system) / 1000).toFixed(0));
for (const [k, v] of rows.slice(0, 25)) console.log(k.padEnd(28), v.ms.toFixed(0).padStart(7), String(v.n).padStart(5));
