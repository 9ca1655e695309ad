import { formatProgressLine, type Logger, type ProgressState, type TerminalProgress, type TrainerHooks } from '@iern/core';

export interface ProgressOptions {
  epochs: number;
  /** A terminal bar; without one, plain lines every `interval` steps go to `logger`. */
  terminal?: TerminalProgress;
  logger: Logger;
  interval: number;
}

/** Progress per epoch: a redrawn bar on a terminal, plain periodic log lines elsewhere. */
export function progressHook(o: ProgressOptions): TrainerHooks {
  let start = 0;
  let images = 0;
  let steps = 0;
  let sums: Record<string, number> = {};
  return {
    onEpochStart() {
      start = performance.now();
      images = steps = 0;
      sums = {};
    },
    onStepEnd(info) {
      images += info.batchSize;
      steps++;
      for (const [k, v] of Object.entries(info.losses)) sums[k] = (sums[k] ?? 0) + v;
      const state: ProgressState = {
        epoch: info.epoch + 1,
        epochs: o.epochs,
        done: info.stepInEpoch + 1,
        total: info.stepsPerEpoch,
        elapsed: (performance.now() - start) / 1000,
        images,
        losses: Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / steps])),
      };
      if (o.terminal) o.terminal.update(state);
      else if (state.done % o.interval === 0 || state.done === state.total) o.logger.info(`${formatProgressLine(state)} tensors ${info.numTensors}`);
    },
    onEpochEnd() {
      o.terminal?.finish();
    },
  };
}
