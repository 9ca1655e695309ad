import { z } from 'zod';

/**
 * `logitAdjust`: train the classifier on logits + tau * log P(y | z), the training set's
 * emotion prior within the sample's confounder, and predict with the plain logits. The
 * classifier is handed the dataset-emotion association instead of learning it from the
 * look, and inference uses P(y | z) uniform: the association cut (beyond the paper).
 */
export const logitAdjustOptions = z.strictObject({
  /** Scale of the log-prior (0 = off, 1 = the exact prior). */
  tau: z.number().min(0).default(1),
  /** Additive (Laplace) smoothing of the counts, so an unseen cell gets a finite log-prior. */
  smoothing: z.number().positive().default(1),
});
export type LogitAdjustOptions = z.infer<typeof logitAdjustOptions>;
