import { createHash } from 'node:crypto';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * Content hash of every named variable (name, shape, values). It identifies the weights
 * actually in use, whether they came from a file, a checkpoint or a seeded init.
 */
export function hashVariables(named: Map<string, tf.Variable>): string {
  const h = createHash('sha256');
  for (const name of [...named.keys()].sort()) {
    const v = named.get(name)!;
    h.update(`${name}:${v.shape.join('x')};`);
    const d = v.dataSync() as Float32Array;
    h.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  }
  return h.digest('hex').slice(0, 32);
}
