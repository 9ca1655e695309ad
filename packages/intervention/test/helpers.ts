import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {
  BatchNorm2d,
  Conv2d,
  Module,
  ReducingStepContext,
  Rng,
  type Backbone,
  type Batch,
  type ModelContext,
  type StepContext,
} from '@iern/core';
import { installFastCpuConv } from './fast-cpu-conv.js';

/** The cpu backend, with the fast filter-gradient kernel (see fast-cpu-conv.ts). */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  installFastCpuConv();
}

/** conv3x3 stride 2 + BN + ReLU: 8x8x3 -> 4x4x6, a real trainable backbone with BN buffers. */
export class TinyBackbone extends Module implements Backbone {
  readonly type = 'tiny';
  readonly outputChannels = 6;
  readonly reductionFactor = 2;
  readonly inputChannels = 3;
  readonly normalization = { mean: [0.5, 0.5, 0.5] as [number, number, number], std: [0.5, 0.5, 0.5] as [number, number, number] };
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;
  constructor(seed = 1, readonly frozen = false) {
    super();
    const rng = new Rng(seed);
    this.conv = this.addChild('conv', new Conv2d(3, 6, { kernel: 3, stride: 2, padding: 1, bias: false }, rng));
    this.bn = this.addChild('bn', new BatchNorm2d(6));
  }
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => tf.relu(this.bn.apply(this.conv.apply(x), training && !this.frozen)));
  }
  override trainableVariables(): tf.Variable[] {
    return this.frozen ? [] : super.trainableVariables();
  }
  weightsKey(): string {
    return 'tiny';
  }
}

export function tinyContext(opts: { seed?: number; classes?: number; strata?: number; counts?: number[]; backbone?: Backbone } = {}): ModelContext {
  const e = opts.classes ?? 2;
  const k = opts.strata ?? 2;
  return {
    backbone: opts.backbone ?? new TinyBackbone(opts.seed ?? 1),
    classes: Array.from({ length: e }, (_, i) => `emo${i}`),
    confounders: Array.from({ length: k }, (_, i) => `src${i}`),
    confounderCounts: opts.counts ?? new Array<number>(k).fill(10),
    inputShape: [8, 8, 3],
    featureShape: [4, 4, 6],
    epochs: 10,
    stepsPerEpoch: 10,
    seed: opts.seed ?? 0,
  };
}

/**
 * A separable toy problem: the emotion is a bright left vs right half, the confounder a
 * colour tint (red vs blue) over the whole image, plus noise. Both are visible in the input.
 */
export function toyBatch(n: number, seed: number, opts: { classes?: number; strata?: number; noise?: number } = {}): Batch {
  const rng = new Rng(seed);
  const e = opts.classes ?? 2;
  const k = opts.strata ?? 2;
  const noise = opts.noise ?? 0.1;
  const data = new Float32Array(n * 8 * 8 * 3);
  const emo: number[] = [];
  const conf: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = i % e;
    const z = Math.floor(i / e) % k;
    emo.push(y);
    conf.push(z);
    for (let r = 0; r < 8; r++)
      for (let c = 0; c < 8; c++)
        for (let ch = 0; ch < 3; ch++) {
          const band = Math.floor((c * e) / 8) === y ? 1 : -1;
          const tint = ch === z % 3 ? 0.8 : -0.4;
          data[((i * 8 + r) * 8 + c) * 3 + ch] = 0.6 * band + tint + rng.normal(0, noise);
        }
  }
  return {
    images: tf.tensor4d(data, [n, 8, 8, 3]),
    emotions: tf.tensor1d(emo, 'int32'),
    confounders: tf.tensor1d(conf, 'int32'),
    ids: emo.map((_, i) => `toy/${seed}/${i}.png`),
    size: n,
  };
}

export function stepContext(step = 0, stepsPerEpoch = 10): StepContext {
  return new ReducingStepContext(Math.floor(step / stepsPerEpoch), step, stepsPerEpoch, stepsPerEpoch * 10, new Rng(step));
}

/** Copies of variable values, by name. */
export function snapshot(vars: Map<string, tf.Variable> | tf.Variable[]): Map<string, Float32Array> {
  const entries = vars instanceof Map ? [...vars.entries()] : vars.map((v) => [v.name, v] as const);
  return new Map(entries.map(([k, v]) => [k, v.dataSync().slice() as Float32Array]));
}

/** Largest absolute change of each variable between two snapshots. */
export function changed(a: Map<string, Float32Array>, b: Map<string, Float32Array>): string[] {
  const out: string[] = [];
  for (const [k, va] of a) {
    const vb = b.get(k)!;
    let d = 0;
    for (let i = 0; i < va.length; i++) d = Math.max(d, Math.abs(va[i]! - vb[i]!));
    if (d > 0) out.push(k);
  }
  return out;
}

export function disposeBatch(b: Batch): void {
  tf.dispose([b.images, b.features, b.emotions, b.confounders].filter(Boolean) as tf.Tensor[]);
}

/**
 * A StepContext that ignores the strategy's optimiser and applies plain SGD (with the
 * per-variable gradient scale), so a test can hand-compute the update.
 */
export class SgdStepContext implements StepContext {
  readonly epoch = 0;
  readonly step = 0;
  readonly stepsPerEpoch = 10;
  readonly totalSteps = 100;
  readonly rng = new Rng(0);
  constructor(private readonly lr: number) {}
  async minimize(_opt: tf.Optimizer, loss: () => tf.Scalar, vars: tf.Variable[], options: { gradScale?: Map<tf.Variable, number> } = {}): Promise<number> {
    const { value, grads } = tf.variableGrads(loss, vars);
    const out = (await value.data())[0]!;
    tf.tidy(() => {
      for (const v of vars) {
        const g = grads[v.name];
        if (g) v.assign(tf.sub(v, tf.mul(g, this.lr * (options.gradScale?.get(v) ?? 1))));
      }
    });
    tf.dispose([value, ...Object.values(grads)]);
    return out;
  }
}

/** A training-set iterator over fresh toy batches; like the DataLoader, it leaves disposal to the consumer. */
export function toyTrainingSet(batches: number, size: number, seed: number, opts: { classes?: number; strata?: number } = {}): () => AsyncIterable<Batch> {
  return async function* () {
    for (let i = 0; i < batches; i++) yield toyBatch(size, seed + i, opts);
  };
}

/** What a checkpoint holds: every named variable, the optimisers' weights, the JSON state. */
export interface Saved {
  vars: Map<string, tf.Tensor>;
  opts: Map<string, { name: string; tensor: tf.Tensor }[]>;
  state: Record<string, unknown>;
}

export async function save(s: import('@iern/core').Strategy): Promise<Saved> {
  const vars = new Map([...s.namedVariables()].map(([k, v]) => [k, tf.clone(v)] as const));
  const opts = new Map<string, { name: string; tensor: tf.Tensor }[]>();
  for (const [k, o] of Object.entries(s.optimizers())) opts.set(k, (await o.getWeights()).map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) })));
  return { vars, opts, state: JSON.parse(JSON.stringify(s.getState?.() ?? {})) };
}

export async function load(s: import('@iern/core').Strategy, saved: Saved): Promise<void> {
  const vars = s.namedVariables();
  if (vars.size !== saved.vars.size) throw new Error(`variable count ${vars.size} vs saved ${saved.vars.size}`);
  for (const [k, v] of vars) {
    const t = saved.vars.get(k);
    if (!t) throw new Error(`missing ${k}`);
    v.assign(t);
  }
  for (const [k, o] of Object.entries(s.optimizers())) {
    const w = saved.opts.get(k);
    if (w && w.length) await o.setWeights(w.map((x) => ({ name: x.name, tensor: tf.clone(x.tensor) })));
  }
  s.setState?.(saved.state);
}

export function disposeSaved(saved: Saved): void {
  tf.dispose([...saved.vars.values()]);
  for (const w of saved.opts.values()) tf.dispose(w.map((x) => x.tensor));
}
