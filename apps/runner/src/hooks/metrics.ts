import { getLearningRate, type MetricsWriter, type Strategy, type TrainerHooks } from '@iern/core';

/** Current learning rate of each optimiser, as `lr/<name>`. */
export function learningRates(strategy: Strategy): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, opt] of Object.entries(strategy.optimizers())) {
    const lr = getLearningRate(opt);
    if (typeof lr === 'number') out[`lr/${name}`] = lr;
  }
  return out;
}

/**
 * Writes a `train` record every `interval` steps (losses averaged over the interval, learning
 * rates, images/s) and an `epoch` record with the epoch means.
 */
export function metricsHook(writer: MetricsWriter, strategy: Strategy, interval: number): TrainerHooks {
  let sums: Record<string, number> = {};
  let steps = 0;
  let images = 0;
  let seconds = 0;
  return {
    onEpochStart() {
      sums = {};
      steps = images = seconds = 0;
    },
    onStepEnd(info) {
      for (const [k, v] of Object.entries(info.losses)) sums[k] = (sums[k] ?? 0) + v;
      steps++;
      images += info.batchSize;
      seconds += info.seconds;
      if ((info.stepInEpoch + 1) % interval !== 0 && info.stepInEpoch + 1 !== info.stepsPerEpoch) return;
      const means = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / steps]));
      writer.write({
        kind: 'train',
        epoch: info.epoch + 1,
        step: info.step + 1,
        ...means,
        ...learningRates(strategy),
        images_per_s: seconds > 0 ? images / seconds : 0,
      });
      sums = {};
      steps = images = seconds = 0;
    },
  };
}
