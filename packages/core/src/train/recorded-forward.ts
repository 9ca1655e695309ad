import * as tf from '@tensorflow/tfjs-core';

/**
 * A forward pass whose gradient tape is kept, so its backward can run later, inside another
 * `minimize` call, without running the forward again.
 *
 * Why: tfjs only differentiates what the loss closure itself computes, and the closure is
 * synchronous. IERN's classifier step needs the gradient of the backbone, whose forward
 * already ran for the critic and feature steps (awaited steps in between, same weights).
 * Re-running it costs a full backbone forward per step; replaying its tape costs nothing.
 *
 * Uses tfjs-core's tape internals (`startTape`/`endTape`, `state.activeTape`), pinned to the
 * repository's tfjs version and covered by a test that compares with a re-run.
 */
export interface RecordedForward<T extends tf.Tensor> {
  /** The forward's output (owned by the record: `dispose()` frees it). */
  readonly output: T;
  /**
   * `output` as an op of `vars` for a loss closure: its value is `output`, its gradient is the
   * recorded backward. Call inside the closure that `tf.variableGrads` differentiates.
   */
  replay(): T;
  /** Frees the output and the tensors the tape saved for its backward. */
  dispose(): void;
}

/** The private engine members used here (tfjs-core 4.22). */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: tf.NamedTensorMap;
  outputs: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}
interface TapeEngine {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
}

/** Runs `f` with the gradient tape on and keeps the tape for a later backward w.r.t. `vars`. */
export function recordForward<T extends tf.Tensor>(f: () => T, vars: tf.Variable[]): RecordedForward<T> {
  const engine = tf.engine() as unknown as TapeEngine;
  if (engine.state.gradientDepth !== 0) throw new Error('recordForward: cannot record inside a gradient computation');
  engine.startTape();
  let output: T;
  let tape: TapeNode[];
  try {
    output = tf.tidy(f);
  } finally {
    tape = engine.state.activeTape ?? [];
    engine.endTape();
    engine.state.activeTape = null;
  }
  const path = nodesFromVarsToY(tape, vars, output);
  let disposed = false;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const inputs = args.slice(0, vars.length) as tf.Tensor[];
    return {
      value: tf.clone(output),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => backward(path, output, dy as tf.Tensor, inputs),
    };
  });
  return {
    output,
    replay() {
      if (disposed) throw new Error('recordForward: replay after dispose');
      return op(...vars) as T;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      output.dispose();
      for (const node of tape) for (const t of node.saved ?? []) t.dispose();
      tape.length = 0;
      path.length = 0;
    },
  };
}

/** The tape nodes on a path from `xs` to `y`, inputs pruned to those that depend on `xs` (as tfjs's own tape filter). */
function nodesFromVarsToY(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      for (const o of node.outputs) fromX.add(o.id);
      nodesFromX.add(node.id);
    }
  }
  const toY = new Set([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (node.outputs.some((o) => toY.has(o.id))) {
      for (const t of Object.values(node.inputs)) toY.add(t.id);
      nodesToY.add(node.id);
    }
  }
  return tape
    .filter((n) => nodesFromX.has(n.id) && nodesToY.has(n.id))
    .map((n) => ({ ...n, inputs: Object.fromEntries(Object.entries(n.inputs).filter(([, t]) => fromX.has(t.id))) }));
}

/** Back-propagates `dy` from `y` through `path` (tfjs's own algorithm) and returns the gradient of each of `xs`. */
function backward(path: TapeNode[], y: tf.Tensor, dy: tf.Tensor, xs: tf.Tensor[]): tf.Tensor[] {
  const acc = new Map<number, tf.Tensor>([[y.id, dy]]);
  const owned: tf.Tensor[] = [];
  for (let i = path.length - 1; i >= 0; i--) {
    const node = path[i]!;
    if (!node.gradient) throw new Error(`recordForward: no gradient registered for ${node.kernelName}`);
    const dxs = node.gradient(node.outputs.map((o) => acc.get(o.id) ?? null));
    for (const [name, x] of Object.entries(node.inputs)) {
      const dx = tf.tidy(() => dxs[name]!());
      owned.push(dx);
      const prev = acc.get(x.id);
      if (prev) {
        const sum = tf.add(prev, dx);
        owned.push(sum);
        acc.set(x.id, sum);
      } else acc.set(x.id, dx);
    }
  }
  const grads = xs.map((x) => (acc.get(x.id) ? tf.clone(acc.get(x.id)!) : tf.zerosLike(x)));
  // intermediate gradients go as soon as the backward is done, not at the end of the caller's
  // tidy; `dy` belongs to the caller even where a gradient passed it through unchanged
  tf.dispose(owned.filter((t) => t !== dy));
  return grads;
}
