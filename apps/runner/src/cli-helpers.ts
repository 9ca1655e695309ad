import { ConsoleLogger, IernError, type LogLevel } from '@iern/core';

/** Runs a command body; turns errors into one line on stderr and the right exit code. */
export async function runCommand(body: () => Promise<number | void>): Promise<void> {
  try {
    const code = await body();
    if (typeof code === 'number' && code !== 0) process.exitCode = code;
  } catch (e) {
    if (e instanceof IernError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = e.exitCode;
    } else {
      process.stderr.write(`error: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 1;
    }
  }
}

export function makeLogger(level: LogLevel = (process.env['IERN_LOG_LEVEL'] as LogLevel) ?? 'info'): ConsoleLogger {
  return new ConsoleLogger(level);
}
