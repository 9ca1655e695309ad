import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { TensorData } from '@iern/core';

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
}

/** HWIO -> OIHW, written independently of the import code so the round trip can catch a wrong transpose. */
export function hwioToOihw(src: Float32Array, [h, w, i, o]: number[]): TensorData {
  const out = new Float32Array(src.length);
  let k = 0;
  for (let a = 0; a < o!; a++)
    for (let b = 0; b < i!; b++)
      for (let y = 0; y < h!; y++) for (let x = 0; x < w!; x++) out[k++] = src[y * w! * i! * o! + x * i! * o! + b * o! + a]!;
  return { data: out, shape: [o!, i!, h!, w!] };
}

/** A model's variables as a PyTorch state dict would hold them (OIHW convs). */
export function torchStateDict(named: Map<string, tf.Variable>): Map<string, TensorData> {
  const out = new Map<string, TensorData>();
  for (const [name, v] of named) {
    const data = Float32Array.from(v.dataSync() as Float32Array);
    out.set(name, v.shape.length === 4 ? hwioToOihw(data, v.shape) : { data, shape: v.shape.slice() });
  }
  return out;
}

/** Deterministic pseudo-random tensor (no tf randomness, so runs are identical). */
export function fixedInput(shape: number[], seed = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = Math.sin(i * 0.37 + seed) * 1.5;
  return tf.tensor(d, shape);
}

export async function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = (await d.data())[0]!;
  d.dispose();
  return v;
}
