import { z } from 'zod';
import { iernSharedShape } from '../backdoor/options.js';

export const backdoorAttentionOptions = z.strictObject({
  ...iernSharedShape,
  /** K: dictionary size (default: the number of confounders when the data has them, else 4). */
  clusters: z.number().int().min(2).optional(),
  /** Features clustered: pooled context feature c (default) or pooled backbone feature f. */
  source: z.enum(['context', 'backbone']).default('context'),
  /** Rebuild the dictionary every N epochs (it is always built before the first epoch). */
  refreshEvery: z.number().int().positive().default(5),
  kmeansIterations: z.number().int().positive().default(20),
  /** Width of the attention query/key projections (default: featureChannels). */
  attentionDim: z.number().int().positive().optional(),
});
export type BackdoorAttentionOptions = z.infer<typeof backdoorAttentionOptions>;
