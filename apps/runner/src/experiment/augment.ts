import type { Augment, AugmentConfig } from '@iern/core';

/** The augmentation function for `data.augment`; undefined when nothing is enabled. */
export function augmentFromConfig(cfg: AugmentConfig): Augment | undefined {
  const core = coreAugment();
  return core ? core(cfg) : undefined;
}

/** `buildAugment` from @iern/core when the image pipeline provides it. */
function coreAugment(): ((cfg: AugmentConfig) => Augment | undefined) | undefined {
  return undefined;
}
