import type { Logger } from '@iern/core';

/** Forwards warnings and one line per epoch (or everything when verbose), prefixed with the run. */
export function runLogger(outer: Logger, prefix: string, verbose: boolean): Logger {
  const keep = (m: string) => verbose || /^epoch \d+\/\d+ done|^test accuracy/.test(m);
  return {
    debug: (m) => verbose && outer.debug(`[${prefix}] ${m}`),
    info: (m) => keep(m) && outer.info(`[${prefix}] ${m}`),
    warn: (m) => outer.warn(`[${prefix}] ${m}`),
    error: (m) => outer.error(`[${prefix}] ${m}`),
  } as Logger;
}
