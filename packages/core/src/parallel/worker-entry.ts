// Entry of a data-parallel replica thread: builds the strategy through the factory module
// named in workerData, then serves steps until the main thread closes it.
import { parentPort, workerData } from 'node:worker_threads';
import { serveReplica } from './replica.js';
import type { ReplicaBuild, WorkerData } from './pool.js';

const data = workerData as WorkerData;
const port = parentPort!;
try {
  const mod = (await import(data.module)) as { createReplica?: (args: unknown, index: number) => Promise<ReplicaBuild> };
  if (typeof mod.createReplica !== 'function') throw new Error(`${data.module} does not export createReplica(args)`);
  const { strategy, backend } = await mod.createReplica(data.args, data.index);
  await serveReplica(strategy, port, data.replicas, backend);
  // The wasm runtime keeps the thread's event loop alive: end the thread (not the process).
  process.exit(0);
} catch (e) {
  port.postMessage({ type: 'error', message: (e as Error)?.stack ?? String(e) });
}
