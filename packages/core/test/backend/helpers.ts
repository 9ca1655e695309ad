import * as tf from '@tensorflow/tfjs-core';
import { activateBackend, Rng } from '@iern/core';

/** Initialises cpu and wasm (with iern's training kernels) once; leaves `cpu` active. */
export async function initBackends(): Promise<void> {
  await activateBackend('wasm');
  await activateBackend('cpu');
}

export function randn(rng: Rng, shape: number[]): { shape: number[]; values: Float32Array } {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = rng.normal();
  return { shape, values };
}

/** Runs `f` on a backend with fresh tensors from the given arrays; returns the outputs as arrays. */
export async function onBackend(
  backend: 'cpu' | 'wasm',
  arrays: { shape: number[]; values: Float32Array }[],
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const xs = arrays.map((a) => tf.tensor(a.values, a.shape));
  const out = tf.tidy(() => {
    const r = f(...xs);
    return Array.isArray(r) ? r : [r];
  });
  const vals = out.map((t) => t.dataSync() as Float32Array);
  tf.dispose([...xs, ...out]);
  if (tf.memory().numTensors !== before) throw new Error(`${backend}: tensor leak (${tf.memory().numTensors - before})`);
  return vals;
}

/** Max |a-b| / (max|b| + eps): relative error, robust to entries near zero. */
export function relError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / (scale + 1e-12);
}

/** Asserts wasm and cpu agree for `f` on `arrays`, output by output. */
export async function expectSame(
  arrays: { shape: number[]; values: Float32Array }[],
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  tol = 1e-4,
  /** Reference computation on cpu when it differs from `f` (cpu lacks a feature). */
  ref = f,
): Promise<number> {
  const c = await onBackend('cpu', arrays, ref);
  const w = await onBackend('wasm', arrays, f);
  let worst = 0;
  for (let i = 0; i < c.length; i++) {
    const e = relError(w[i]!, c[i]!);
    worst = Math.max(worst, e);
    if (!(e <= tol)) throw new Error(`output ${i}: relative error ${e} > ${tol}`);
  }
  return worst;
}
