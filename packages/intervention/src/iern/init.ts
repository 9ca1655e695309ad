import type { Init } from '@iern/core';

/** N(0, 0.02): the published init of every IERN network except the backbone. */
export const IERN_INIT: Init = { kind: 'normal', std: 0.02 };

/** BatchNorm scales N(1, 0.02), biases 0 (the DCGAN-style init the published code applies). */
export const IERN_BN_INIT: Init = { kind: 'normal', mean: 1, std: 0.02 };
