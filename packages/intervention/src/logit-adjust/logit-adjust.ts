import * as tf from '@tensorflow/tfjs-core';
import type { ModelContext } from '@iern/core';
import type { LogitAdjustOptions } from './options.js';

/**
 * The table tau * log P(y | z) (smoothed training counts), one row per confounder plus a
 * zero row for samples whose confounder is unknown (-1).
 */
export class LogitAdjustment {
  private readonly table: tf.Tensor2D;
  private readonly unknownRow: number;

  constructor(ctx: Pick<ModelContext, 'labelCounts' | 'confounders' | 'classes'>, opts: LogitAdjustOptions) {
    const counts = ctx.labelCounts;
    if (!counts || counts.length !== ctx.confounders.length) {
      throw new Error(`logitAdjust needs the training label counts per confounder (${ctx.confounders.length} confounders; the data has ${counts?.length ?? 'no'} count rows)`);
    }
    const e = ctx.classes.length;
    const rows = counts.map((row, k) => {
      if (row.length !== e) throw new Error(`logitAdjust: counts of confounder '${ctx.confounders[k]}' have ${row.length} classes, expected ${e}`);
      const total = row.reduce((a, b) => a + b, 0) + e * opts.smoothing;
      return row.map((n) => opts.tau * Math.log((n + opts.smoothing) / total));
    });
    this.unknownRow = rows.length;
    rows.push(new Array<number>(e).fill(0));
    this.table = tf.tensor2d(rows);
  }

  /** logits + tau * log P(y | z_i) per sample; `confounders` int32 [N], -1 = unknown. */
  apply(logits: tf.Tensor2D, confounders: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() => {
      const idx = tf.where(tf.less(confounders, 0), tf.fill(confounders.shape, this.unknownRow, 'int32'), confounders);
      return tf.add(logits, tf.gather(this.table, idx));
    });
  }

  /** The table, [confounders + 1, classes] (for tests and reports). */
  values(): number[][] {
    return this.table.arraySync();
  }

  dispose(): void {
    this.table.dispose();
  }
}
