// A loader worker: builds augmented, normalised batches from the shared uint8 image cache.
import { parentPort, workerData } from 'node:worker_threads';
import { buildAugment } from './augment.js';
import { fillBatch, normalizationTable } from './batch-fill.js';
import { Rng } from '../util/rng.js';
import type { LoaderWorkerData, LoaderJob } from './loader-pool.js';

const d = workerData as LoaderWorkerData;
const pixels = new Uint8Array(d.pixels);
const augment = buildAugment(d.augment);
const tables = normalizationTable(d.mean, d.std, d.channels);
parentPort!.on('message', (job: LoaderJob) => {
  try {
    const rng = new Rng(job.rng);
    const data = fillBatch(job.pixels ?? pixels, job.indices, d, d, augment, rng, tables);
    parentPort!.postMessage({ id: job.id, data }, [data.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: String((e as Error)?.stack ?? e) });
  }
});
parentPort!.postMessage({ ready: true });
