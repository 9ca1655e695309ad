import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, SplitOptimizer, activateBackend, adam, type GradientArrays } from '@iern/core';

const rand = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => rng.normal());

/** Two variables (one per part) under `prefix`, the same values for every prefix. */
function vars(prefix: string): tf.Variable[] {
  const rng = new Rng(1);
  return [tf.variable(tf.tensor(rand(rng, 6), [2, 3]), true, `${prefix}/a`), tf.variable(tf.tensor(rand(rng, 4), [4]), true, `${prefix}/b`)];
}

describe('SplitOptimizer', () => {
  beforeAll(async () => {
    await activateBackend('wasm');
  });

  it('applies gradient arrays like gradient tensors, to a fused part and to a tfjs part', () => {
    const byTensors = vars('t');
    const byArrays = vars('a');
    const parts: tf.Optimizer[] = [];
    const split = (v: tf.Variable[]) => {
      const [fused, tfjs] = [adam(0.1), tf.train.adam(0.1)];
      parts.push(fused, tfjs);
      return new SplitOptimizer([[fused, [v[0]!]], [tfjs, [v[1]!]]]);
    };
    const optT = split(byTensors);
    const optA = split(byArrays);
    const rng = new Rng(2);
    for (let step = 0; step < 3; step++) {
      const g = byTensors.map((v) => rand(rng, v.size));
      const tensors = { [byTensors[0]!.name]: tf.tensor(g[0]!, byTensors[0]!.shape), [byTensors[1]!.name]: tf.tensor(g[1]!, byTensors[1]!.shape) };
      optT.applyGradients(tensors);
      tf.dispose(Object.values(tensors));
      const before = tf.memory().numTensors;
      const arrays: GradientArrays = byArrays.map((v, i) => [v.name, g[i]!]);
      optA.applyGradientArrays(arrays);
      if (step > 0) expect(tf.memory().numTensors).toBe(before);
      // The caller's arrays are left alone (they may be a buffer shared with other replicas).
      expect(arrays[1]![1]).toEqual(g[1]);
    }
    byTensors.forEach((v, i) => expect(Array.from(byArrays[i]!.dataSync())).toEqual(Array.from(v.dataSync())));
    const fresh = vars('fresh');
    expect(Array.from(byArrays[1]!.dataSync())).not.toEqual(Array.from(fresh[1]!.dataSync()));
    tf.dispose([...byTensors, ...byArrays, ...fresh]);
    for (const o of parts) o.dispose();
  });
});
