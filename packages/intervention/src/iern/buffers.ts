import * as tf from '@tensorflow/tfjs-core';

/** Copies of the non-trainable variables (BatchNorm running statistics) among `vars`. */
export class BufferSnapshot {
  private readonly saved: [tf.Variable, tf.Tensor][];
  constructor(vars: Iterable<tf.Variable>) {
    this.saved = [...vars].filter((v) => !v.trainable).map((v) => [v, tf.clone(v)]);
  }
  /**
   * Puts the saved values back. Used after a network is re-run on the same batch with the
   * same weights (to get a gradient), so its running statistics move once per step, as in
   * the published single forward pass.
   */
  restore(): void {
    for (const [v, t] of this.saved) v.assign(t);
  }
  dispose(): void {
    for (const [, t] of this.saved) t.dispose();
    this.saved.length = 0;
  }
}
