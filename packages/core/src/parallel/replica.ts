import * as tf from '@tensorflow/tfjs-core';
import type { Strategy } from '../model/strategy.js';
import { disposeBatch } from '../data/batch.js';
import { ReducingStepContext, type GradientReducer } from '../train/step-context.js';
import { Rng } from '../util/rng.js';
import { Channel, type MainChannel } from './channel.js';
import { VariableNames } from './names.js';
import { GradLayout, SharedBuffers, gradientTensors, sumSlice } from './shared-grads.js';
import type { GradientArrays } from '../train/gradient-arrays.js';
import { packVars, unpackBatch, unpackTensor, type FromReplica, type PackedTensor, type ToReplica } from './protocol.js';

/** Worker side of the all-reduce: shares this shard's gradients with the main thread, reads the average it wrote. */
class ReplicaReducer implements GradientReducer {
  /** This replica's gradients, one shared buffer per variable set (the main thread reads them). */
  private readonly buffers = new SharedBuffers();

  constructor(
    private readonly ch: MainChannel,
    private readonly names: VariableNames,
    readonly replicas: number,
  ) {}

  async allReduce(grads: tf.NamedTensorMap, weight: number): Promise<tf.NamedTensorMap> {
    return gradientTensors(await this.allReduceArrays(grads, weight), grads);
  }

  /**
   * Writes this shard's gradients into this replica's shared buffer, sums the slice of every
   * replica's gradients the main thread assigns (all replicas sum at once), and returns the
   * whole sum as views once every slice is done.
   */
  async allReduceArrays(grads: tf.NamedTensorMap, weight: number): Promise<GradientArrays> {
    const layout = GradLayout.of(grads, this.names);
    const mine = this.buffers.get(layout);
    layout.write(grads, mine);
    this.ch.send({ type: 'grads', key: layout.key, sizes: layout.sizes, buffer: mine.buffer as SharedArrayBuffer, weight });
    const job = await this.ch.next('reduceSlice');
    if (job.key !== layout.key) throw new Error('the main thread reduced the gradients of other variables (replicas diverged)');
    sumSlice(new Float32Array(job.sum), job.begin, job.end, job.parts.map(([b, w]) => [new Float32Array(b), w]));
    this.ch.send({ type: 'sliceDone' });
    const m = await this.ch.next('reduced');
    if (m.key !== layout.key) throw new Error('the main thread reduced the gradients of other variables (replicas diverged)');
    return layout.views(new Float32Array(m.buffer));
  }

  async allReduceScalar(value: number, weight: number): Promise<number> {
    this.ch.send({ type: 'scalar', value, weight });
    return (await this.ch.next('reducedScalar')).value;
  }
}

type Port = ConstructorParameters<typeof Channel>[0];

/**
 * Runs one data-parallel replica in a worker thread: applies weight syncs, runs
 * `strategy.trainStep` on each shard it is sent (the same code as the main replica, with an
 * all-reducing StepContext), reports its buffers when asked. Resolves on `close`.
 */
export async function serveReplica(strategy: Strategy, port: Port, replicas: number, backend: string): Promise<void> {
  const ch = new Channel<ToReplica, FromReplica>(port, 'main thread');
  const names = new VariableNames(strategy);
  const reducer = new ReplicaReducer(ch, names, replicas);
  ch.send({ type: 'ready', backend });
  const handle = async (m: ToReplica): Promise<boolean> => {
    switch (m.type) {
      case 'sync': {
        for (const [name, p] of m.vars) {
          const t = unpackTensor(p);
          names.variable(name).assign(t);
          t.dispose();
        }
        if (m.state) strategy.setState?.(m.state);
        if (m.optimizers) await setOptimizerWeights(strategy, m.optimizers);
        ch.send({ type: 'synced' });
        return true;
      }
      case 'step': {
        const batch = unpackBatch(m.batch);
        const ctx = new ReducingStepContext(m.epoch, m.step, m.stepsPerEpoch, m.totalSteps, new Rng(m.rng), reducer, m.weight);
        try {
          const losses = await strategy.trainStep(batch, ctx);
          ch.send({ type: 'stepDone', losses });
        } finally {
          disposeBatch(batch);
        }
        return true;
      }
      case 'collect': {
        ch.send({ type: 'collected', vars: await packVars(names.entries(), (v) => !v.trainable && v.dtype === 'float32') });
        return true;
      }
      case 'close':
        return false;
      default:
        throw new Error(`unexpected message '${m.type}' outside a step`);
    }
  };
  // Messages between steps arrive in order; 'reduced' ones are consumed inside trainStep.
  for (;;) {
    const m = await nextCommand(ch);
    try {
      if (!(await handle(m))) break;
    } catch (e) {
      ch.send({ type: 'error', message: (e as Error)?.stack ?? String(e) });
      break;
    }
  }
  strategy.dispose();
}

function nextCommand(ch: MainChannel): Promise<ToReplica> {
  return ch.nextAny();
}

async function setOptimizerWeights(strategy: Strategy, packed: Record<string, PackedTensor[]>): Promise<void> {
  const opts = strategy.optimizers();
  for (const [name, values] of Object.entries(packed)) {
    const opt = opts[name];
    if (!opt) throw new Error(`replica has no optimizer '${name}'`);
    const mine = await opt.getWeights();
    if (mine.length !== values.length && mine.length > 1) throw new Error(`optimizer '${name}' has ${mine.length} weights here but ${values.length} on the main thread`);
    // Optimizer weights are positional (iterations first, then per-variable slots in order).
    const tensors = values.map((p) => unpackTensor(p));
    await opt.setWeights(tensors.map((tensor, i) => ({ name: mine[i]?.name ?? `w${i}`, tensor })));
    // The optimiser made its own variables from them (and getWeights made copies).
    tf.dispose(tensors);
    for (const w of mine) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  }
}
