// Inference benchmark worker: builds the same model and times `predict` on its own batches.
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { activateBackend, disposeBatch } from '@iern/core';
import { buildModel, randomBatch } from './model.mjs';

const { config, backend, warmup, steps, batch: n } = workerData;
try {
  await activateBackend(backend);
  const { strategy, backbone, cfg } = await buildModel(config, 'infer');
  const batch = randomBatch(cfg, n, 7);
  const run = async () => {
    const p = strategy.predict(batch);
    await p.logits.data();
    tf.dispose([p.logits, p.perStratumLogits].filter(Boolean));
  };
  for (let i = 0; i < warmup; i++) await run();
  parentPort.postMessage({ type: 'ready' });
  await new Promise((resolve) => parentPort.once('message', resolve));
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await run();
  parentPort.postMessage({ type: 'done', seconds: (performance.now() - t0) / 1000 });
  disposeBatch(batch);
  strategy.dispose();
  backbone.dispose();
} catch (e) {
  parentPort.postMessage({ type: 'error', message: String(e?.stack ?? e) });
}
process.exit(0);
