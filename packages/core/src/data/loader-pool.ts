import type { Worker } from 'node:worker_threads';
import { startWorker } from '../util/worker.js';
import type { AugmentConfig } from '../config/experiment.js';

export interface LoaderWorkerData {
  pixels: SharedArrayBuffer;
  height: number;
  width: number;
  channels: number;
  mean: number[];
  std: number[];
  augment: AugmentConfig;
}

export interface LoaderJob {
  id: number;
  indices: number[];
  /** Rng state for this batch's augmentation. */
  rng: number[];
  /** Streaming mode: this batch's images (indices then point into it), instead of the shared cache. */
  pixels?: Uint8Array;
}

type Reply = { id: number; data?: Float32Array; error?: string; ready?: boolean };

/**
 * Worker threads that build augmented batches in parallel with training. Jobs go round-robin;
 * results come back as transferred Float32Arrays. Workers hold the event loop only while a job
 * is out, so an idle pool never keeps the process alive.
 */
export class LoaderPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (d: Float32Array) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private turn = 0;
  private closing = false;

  constructor(count: number, data: LoaderWorkerData) {
    for (let i = 0; i < count; i++) {
      const w = startWorker(import.meta.url, 'loader-worker', data, { message: { id: -1 }, field: 'error' });
      w.unref();
      w.on('message', (m: Reply) => {
        if (m.ready) return;
        const p = this.waiting.get(m.id);
        if (p) this.settled(m.id);
        if (!p) {
          if (m.error !== undefined) this.failAll(new Error(`loader worker failed to start: ${m.error}`));
          return;
        }
        if (m.error !== undefined) p.reject(new Error(`loader worker: ${m.error}`));
        else p.resolve(m.data!);
      });
      w.on('error', (e) => this.failAll(e));
      w.on('exit', (code) => !this.closing && code !== 0 && this.failAll(new Error(`loader worker exited with code ${code}`)));
      this.workers.push(w);
    }
  }

  /** Builds one batch in a worker. */
  run(indices: number[], rng: number[], pixels?: Uint8Array): Promise<Float32Array> {
    const id = this.nextId++;
    const w = this.workers[this.turn++ % this.workers.length]!;
    // hold the event loop only while a job is out (an idle pool never keeps the process alive)
    if (this.waiting.size === 0) for (const x of this.workers) x.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const job: LoaderJob = pixels ? { id, indices, rng, pixels } : { id, indices, rng };
      w.postMessage(job, pixels ? [pixels.buffer as ArrayBuffer] : []);
    });
  }

  private settled(id: number): void {
    this.waiting.delete(id);
    if (this.waiting.size === 0) for (const x of this.workers) x.unref();
  }

  private failAll(e: Error): void {
    for (const p of this.waiting.values()) p.reject(e);
    this.waiting.clear();
    if (!this.closing) for (const x of this.workers) x.unref();
  }

  async close(): Promise<void> {
    // ref first: terminating an unref'd worker would let the process exit before it resolves
    this.closing = true;
    this.failAll(new Error('loader pool closed'));
    await Promise.all(this.workers.map((w) => (w.ref(), w.terminate())));
    this.workers.length = 0;
  }
}
