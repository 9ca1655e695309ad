import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/rng.js';

let nextId = 0;

/**
 * Base of every network piece: owns variables and child modules, names them with dotted
 * paths (`layer1.0.conv1.weight`) so checkpoints and weight import can address them.
 */
export abstract class Module {
  private readonly params = new Map<string, tf.Variable>();
  private readonly buffers = new Map<string, tf.Variable>();
  private readonly children = new Map<string, Module>();
  /** Unique prefix so tfjs variable names never collide between instances. */
  protected readonly uid = `m${nextId++}`;

  protected addParam(name: string, init: tf.Tensor): tf.Variable {
    const v = tf.variable(init, true, `${this.uid}/${name}`);
    init.dispose();
    this.params.set(name, v);
    return v;
  }

  protected addBuffer(name: string, init: tf.Tensor): tf.Variable {
    const v = tf.variable(init, false, `${this.uid}/${name}`);
    init.dispose();
    this.buffers.set(name, v);
    return v;
  }

  protected addChild<M extends Module>(name: string, child: M): M {
    this.children.set(name, child);
    return child;
  }

  /** Trainable parameters, recursively. */
  trainableVariables(): tf.Variable[] {
    const out: tf.Variable[] = [...this.params.values()];
    for (const c of this.children.values()) out.push(...c.trainableVariables());
    return out;
  }

  /** Every parameter and buffer by dotted name, recursively. */
  namedVariables(prefix = ''): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [n, v] of this.params) out.set(prefix + n, v);
    for (const [n, v] of this.buffers) out.set(prefix + n, v);
    for (const [n, c] of this.children) for (const [k, v] of c.namedVariables(`${prefix}${n}.`)) out.set(k, v);
    return out;
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    for (const v of this.buffers.values()) v.dispose();
    for (const c of this.children.values()) c.dispose();
    this.params.clear();
    this.buffers.clear();
    this.children.clear();
  }
}

/** A module with a single-input forward pass. */
export abstract class Layer<I extends tf.Tensor = tf.Tensor, O extends tf.Tensor = tf.Tensor> extends Module {
  abstract apply(x: I, training: boolean): O;
}

/** Ordered chain of layers. */
export class Sequential extends Layer<tf.Tensor4D, tf.Tensor4D> {
  private readonly layers: Layer[] = [];
  constructor(layers: Layer[] = []) {
    super();
    layers.forEach((l) => this.push(l));
  }
  push(layer: Layer): this {
    this.addChild(String(this.layers.length), layer);
    this.layers.push(layer);
    return this;
  }
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    let y: tf.Tensor = x;
    for (const l of this.layers) y = l.apply(y, training);
    return y as tf.Tensor4D;
  }
}

/** Initialisers draw from a seeded Rng so runs are reproducible. */
export type Init =
  | { kind: 'normal'; std: number; mean?: number }
  | { kind: 'kaiming'; fanIn: number }
  | { kind: 'uniform'; bound: number }
  | { kind: 'zeros' }
  | { kind: 'ones' };

export function initTensor(shape: number[], init: Init, rng: Rng): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  if (init.kind === 'zeros') return tf.zeros(shape);
  if (init.kind === 'ones') return tf.ones(shape);
  const data = new Float32Array(size);
  if (init.kind === 'normal') for (let i = 0; i < size; i++) data[i] = rng.normal(init.mean ?? 0, init.std);
  else if (init.kind === 'kaiming') {
    const std = Math.sqrt(2 / Math.max(1, init.fanIn));
    for (let i = 0; i < size; i++) data[i] = rng.normal(0, std);
  } else for (let i = 0; i < size; i++) data[i] = rng.uniform(-init.bound, init.bound);
  return tf.tensor(data, shape, 'float32');
}
