import type * as tf from '@tensorflow/tfjs-core';

/** Learning-rate schedule options: linear warm-up, constant, then linear decay to 0 (IERN). */
export interface WarmupDecaySchedule {
  /** Warm-up length in epochs. */
  warmupEpochs: number;
  /** Epoch at which the linear decay to 0 starts (defaults to half of the run). */
  decayStartEpoch?: number;
}

/**
 * Multiplier in [0, 1] at a (fractional) epoch. Warm-up rises linearly from 1/(warmup steps),
 * stays at 1, then decays linearly to 0 at `totalEpochs`.
 */
export function warmupConstantDecay(epochFloat: number, totalEpochs: number, s: WarmupDecaySchedule): number {
  const warm = Math.max(0, s.warmupEpochs);
  const decayStart = Math.min(totalEpochs, s.decayStartEpoch ?? totalEpochs / 2);
  if (warm > 0 && epochFloat < warm) return Math.max((epochFloat + 1e-9) / warm, 1e-3);
  if (epochFloat < decayStart) return 1;
  const span = Math.max(totalEpochs - decayStart, 1e-9);
  return Math.max(0, 1 - (epochFloat - decayStart) / span);
}

/** Sets the learning rate of a tfjs optimiser (Adam, SGD, ...) in place. */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

export function getLearningRate(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}
