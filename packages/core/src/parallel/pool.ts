import type { Worker } from 'node:worker_threads';
import { startWorker } from '../util/worker.js';
import { Channel, type ReplicaChannel } from './channel.js';
import type { FromReplica, ToReplica } from './protocol.js';
import type { Strategy } from '../model/strategy.js';

/** Which module builds a replica's strategy in a worker: it exports `createReplica(args)`. */
export interface ReplicaFactory {
  /** Absolute file path or file URL of the module. */
  module: string;
  /** Structured-clonable arguments (e.g. a config file and overrides). */
  args: unknown;
}

/** What `createReplica(args)` returns inside the worker. */
export interface ReplicaBuild {
  strategy: Strategy;
  /** Backend description for the log. */
  backend: string;
}

export interface WorkerData {
  module: string;
  args: unknown;
  replicas: number;
  index: number;
}

export interface ReplicaHandle {
  index: number;
  worker: Worker;
  channel: ReplicaChannel;
  backend: string;
}

/**
 * Starts `count` worker threads, each building a replica through `factory`. When running
 * from TypeScript sources (tests), workers load them through tsx.
 */
export async function spawnReplicas(count: number, replicas: number, factory: ReplicaFactory): Promise<ReplicaHandle[]> {
  const moduleUrl = factory.module.startsWith('file:') ? factory.module : new URL(`file://${factory.module}`).href;
  const handles: ReplicaHandle[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const data: WorkerData = { module: moduleUrl, args: factory.args, replicas, index: i + 1 };
      const worker = startWorker(import.meta.url, 'worker-entry', data, { message: { type: 'error' }, field: 'message' });
      const channel = new Channel<FromReplica, ToReplica>(worker, `replica ${i + 1}`);
      worker.on('exit', (code) => channel.fail(new Error(`replica ${i + 1} exited (code ${code})`)));
      handles.push({ index: i + 1, worker, channel, backend: '' });
    }
    for (const h of handles) h.backend = (await h.channel.next('ready')).backend;
    return handles;
  } catch (e) {
    await Promise.all(handles.map((h) => h.worker.terminate()));
    throw e;
  }
}
