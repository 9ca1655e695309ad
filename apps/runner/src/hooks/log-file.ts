import { appendFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { ConsoleLogger } from '@iern/core';

/** Appends every log line (all levels) to `file`; a resumed run appends to the same log. */
export function attachLogFile(logger: ConsoleLogger, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  logger.addSink((_level, line) => appendFileSync(file, line + '\n'));
}
