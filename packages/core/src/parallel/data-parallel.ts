import * as tf from '@tensorflow/tfjs-core';
import type { Strategy } from '../model/strategy.js';
import type { Batch } from '../data/batch.js';
import type { Logger } from '../logging/logger.js';
import type { GradientReducer, ShardInfo } from '../train/step-context.js';
import type { TrainerHooks } from '../train/trainer.js';
import { VariableNames } from './names.js';
import { GradLayout, SharedBuffers, gradientTensors, sliceBounds, sumSlice } from './shared-grads.js';
import type { GradientArrays } from '../train/gradient-arrays.js';
import { batchTransferList, packBatchSlice, packTensor, packVars, shardSizes, sliceBatch, type PackedTensor } from './protocol.js';
import { spawnReplicas, type ReplicaFactory, type ReplicaHandle } from './pool.js';

export interface DataParallelOptions {
  /** Total replicas including this thread (>= 2). */
  replicas: number;
  factory: ReplicaFactory;
  logger?: Logger;
}

/**
 * Synchronous data-parallel training over worker threads. This thread is replica 0; every
 * replica runs the same strategy code on its shard of the batch, gradients are averaged
 * (weighted by shard size) here and every replica applies the same update with its own
 * identical optimiser, so replicas stay identical.
 *
 * BatchNorm: each replica normalises with its own shard's batch statistics (as PyTorch DDP
 * without SyncBatchNorm); at every epoch end the replicas' running statistics (all
 * non-trainable float variables) are averaged, weighted by images seen, into this thread's
 * model, which is broadcast to the workers (with `getState()`) before the next epoch.
 */
export class DataParallel implements GradientReducer {
  readonly replicas: number;
  private readonly names: VariableNames;
  private active: ReplicaHandle[] = [];
  private pendingSteps: ReplicaHandle[] = [];
  /** Reduced gradients, one shared buffer per variable set. */
  private readonly sums = new SharedBuffers();
  /** This thread's gradients, shared so the workers can sum their slices of them. */
  private readonly own = new SharedBuffers();
  /** Epoch of the last shard (a new epoch resets the image counts and resyncs). */
  private epoch = -1;
  /** Workers need this thread's weights before their next step. */
  private needSync = true;
  private firstSync = true;
  /** Images each replica trained on this epoch (index 0 = this thread). */
  private seen: number[];

  private constructor(
    private readonly strategy: Strategy,
    private readonly workers: ReplicaHandle[],
    private readonly logger?: Logger,
  ) {
    this.replicas = workers.length + 1;
    this.names = new VariableNames(strategy);
    this.seen = new Array(this.replicas).fill(0);
  }

  static async start(strategy: Strategy, opts: DataParallelOptions): Promise<DataParallel> {
    if (opts.replicas < 2) throw new Error('DataParallel needs at least 2 replicas');
    const workers = await spawnReplicas(opts.replicas - 1, opts.replicas, opts.factory);
    opts.logger?.info(`data-parallel: ${opts.replicas} replicas (this thread + ${workers.length} worker threads: ${workers.map((w) => w.backend).join(', ')})`);
    return new DataParallel(strategy, workers, opts.logger);
  }

  /** Sends the other shards to the workers; returns this thread's shard and its weight. */
  async shard(batch: Batch, info: ShardInfo): Promise<{ batch: Batch; weight: number }> {
    await this.drain();
    if (info.epoch !== this.epoch) {
      this.epoch = info.epoch;
      this.seen.fill(0);
      this.needSync = true; // strategies change state in onEpochStart (dictionaries, schedules)
    }
    if (this.needSync) {
      await this.broadcast();
      this.needSync = false;
    }
    const sizes = shardSizes(batch.size, this.replicas).filter((n) => n > 0);
    this.active = this.workers.slice(0, sizes.length - 1);
    // A batch smaller than the replica count leaves workers out of this update: resync them next step.
    if (this.active.length < this.workers.length) this.needSync = true;
    let begin = sizes[0]!;
    for (let i = 0; i < this.active.length; i++) {
      const size = sizes[i + 1]!;
      const packed = await packBatchSlice(batch, begin, size);
      this.active[i]!.channel.send(
        { type: 'step', epoch: info.epoch, step: info.step, stepsPerEpoch: info.stepsPerEpoch, totalSteps: info.totalSteps, rng: info.rng.getState(), weight: size / batch.size, batch: packed },
        batchTransferList(packed),
      );
      this.seen[i + 1]! += size;
      begin += size;
    }
    this.pendingSteps = this.active;
    this.seen[0]! += sizes[0]!;
    return { batch: sliceBatch(batch, 0, sizes[0]!), weight: sizes[0]! / batch.size };
  }

  async allReduce(grads: tf.NamedTensorMap, weight: number): Promise<tf.NamedTensorMap> {
    return gradientTensors(await this.allReduceArrays(grads, weight), grads);
  }

  /**
   * Every replica (this thread included) writes its gradients into its own shared buffer;
   * then each sums one slice of all of them, weighted, into a shared result buffer that every
   * replica's optimiser reads directly. The copies run at once, and so do the sums: the
   * all-reduce costs one copy and 1/R of the sum per replica. Only small messages are posted.
   */
  async allReduceArrays(grads: tf.NamedTensorMap, weight: number): Promise<GradientArrays> {
    const layout = GradLayout.of(grads, this.names);
    const mine = this.own.get(layout);
    layout.write(grads, mine);
    const parts: [Float32Array, number][] = [[mine, weight]];
    for (const w of this.active) {
      const m = await w.channel.next('grads');
      const why = layout.mismatch(m.key, m.sizes);
      if (why) throw new Error(`replica ${w.index} sent ${why}`);
      parts.push([new Float32Array(m.buffer), m.weight]);
    }
    // A replica writes its next gradients only after it has read this result, so one buffer per layout suffices.
    const sum = this.sums.get(layout);
    const bounds = sliceBounds(layout.total, parts.length);
    const shared = parts.map(([b, w]) => [b.buffer as SharedArrayBuffer, w] as [SharedArrayBuffer, number]);
    this.active.forEach((w, i) =>
      w.channel.send({ type: 'reduceSlice', key: layout.key, parts: shared, sum: sum.buffer as SharedArrayBuffer, begin: bounds[i + 1]!, end: bounds[i + 2]! }),
    );
    sumSlice(sum, bounds[0]!, bounds[1]!, parts);
    for (const w of this.active) await w.channel.next('sliceDone');
    for (const w of this.active) w.channel.send({ type: 'reduced', key: layout.key, buffer: sum.buffer as SharedArrayBuffer });
    return layout.views(sum);
  }

  async allReduceScalar(value: number, weight: number): Promise<number> {
    let sum = value * weight;
    for (const w of this.active) {
      const m = await w.channel.next('scalar');
      sum += m.value * m.weight;
    }
    for (const w of this.active) w.channel.send({ type: 'reducedScalar', value: sum });
    return sum;
  }

  /** Trainer hooks: average the replicas' running statistics at every epoch end. */
  hooks(): TrainerHooks {
    return { onEpochEnd: () => this.averageBuffers() };
  }

  /** Averages non-trainable float variables (BatchNorm running stats, EMA buffers) into this thread's model. */
  async averageBuffers(): Promise<void> {
    await this.drain();
    const total = this.seen.reduce((a, b) => a + b, 0);
    if (total === 0) return;
    const mine = new Map(await packVars(this.names.entries(), (v) => !v.trainable && v.dtype === 'float32'));
    if (mine.size === 0) return;
    const acc = new Map<string, Float32Array>();
    for (const [name, p] of mine) acc.set(name, (p.data as Float32Array).map((x) => (x * this.seen[0]!) / total));
    for (const w of this.workers) w.channel.send({ type: 'collect' });
    for (const w of this.workers) {
      const m = await w.channel.next('collected');
      const share = this.seen[w.index]! / total;
      for (const [name, p] of m.vars) {
        const a = acc.get(name);
        if (!a) continue;
        for (let i = 0; i < a.length; i++) a[i]! += (p.data as Float32Array)[i]! * share;
      }
    }
    for (const [name, a] of acc) {
      const v = this.names.variable(name);
      const t = tf.tensor(a, v.shape, 'float32');
      v.assign(t);
      t.dispose();
    }
    this.needSync = true; // workers get the averaged buffers with the next broadcast
  }

  /** Copies this thread's weights, buffers, strategy state (and, on resume, optimiser state) to every worker. */
  private async broadcast(): Promise<void> {
    const vars = await packVars(this.names.entries());
    const state = this.strategy.getState?.();
    let optimizers: Record<string, PackedTensor[]> | undefined;
    if (this.firstSync) {
      optimizers = await this.optimizerWeights();
      this.firstSync = false;
    }
    for (const w of this.workers) w.channel.send({ type: 'sync', vars, state, optimizers });
    for (const w of this.workers) await w.channel.next('synced');
  }

  /** Optimiser state, only when it is not fresh (a resumed run); fresh optimisers are identical already. */
  private async optimizerWeights(): Promise<Record<string, PackedTensor[]> | undefined> {
    const out: Record<string, PackedTensor[]> = {};
    let any = false;
    for (const [name, opt] of Object.entries(this.strategy.optimizers())) {
      const weights = await opt.getWeights();
      const iterations = weights[0] ? (await weights[0].tensor.data())[0] : 0;
      if (iterations) any = true;
      out[name] = await Promise.all(weights.map((w) => packTensor(w.tensor)));
      // getWeights returns fresh copies for some entries (iterations); variables are the optimiser's own.
      for (const w of weights) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
    }
    return any ? out : undefined;
  }

  /** Waits until every worker finished its previous step (surfacing its errors). */
  private async drain(): Promise<void> {
    const pending = this.pendingSteps;
    this.pendingSteps = [];
    for (const w of pending) await w.channel.next('stepDone');
  }

  /** Stops the workers. Never throws: a replica's failure was already raised by the step that met it. */
  async close(): Promise<void> {
    try {
      await this.drain();
    } catch {
      // reported by the training step
    } finally {
      for (const w of this.workers) w.channel.send({ type: 'close' });
      await Promise.all(
        this.workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              const t = setTimeout(() => void w.worker.terminate().then(() => resolve()), 2000);
              w.worker.once('exit', () => {
                clearTimeout(t);
                resolve();
              });
            }),
        ),
      );
    }
  }
}
