import * as tf from '@tensorflow/tfjs-core';

/**
 * Collects scalar parts of a loss computed inside a gradient tape (kept past the tape's
 * tidy) and reads them afterwards, for logging.
 */
export class ScalarLog {
  private readonly parts = new Map<string, tf.Tensor>();
  /** Keeps `t` (a scalar) under `name`; returns `t` unchanged. */
  put<T extends tf.Tensor>(name: string, t: T): T {
    this.parts.get(name)?.dispose();
    this.parts.set(name, tf.keep(tf.clone(t)));
    return t;
  }
  /** Reads and disposes everything collected. */
  async read(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const [k, t] of this.parts) {
      out[k] = (await t.data())[0]!;
      t.dispose();
    }
    this.parts.clear();
    return out;
  }
  dispose(): void {
    for (const t of this.parts.values()) t.dispose();
    this.parts.clear();
  }
}

/** Fraction of rows whose argmax equals the label. */
export function accuracy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'float32')) as tf.Scalar);
}

/** MSE between softmax(logits) and the uniform distribution: the published confusion loss. */
export function confusion(logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(tf.sub(tf.softmax(logits), 1 / logits.shape[1]))) as tf.Scalar);
}
