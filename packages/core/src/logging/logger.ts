/** Minimal structured logger; the runner adds file sinks and progress bars. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogSink = (level: LogLevel, line: string) => void;

/** Logger that writes `[time] LEVEL message` lines to stderr and any extra sinks. */
export class ConsoleLogger implements Logger {
  private readonly sinks: LogSink[] = [];
  constructor(
    private readonly level: LogLevel = 'info',
    private readonly stream: NodeJS.WritableStream | null = process.stderr,
  ) {}

  addSink(sink: LogSink): void {
    this.sinks.push(sink);
  }

  private write(level: LogLevel, msg: string): void {
    const line = `[${new Date().toISOString().slice(11, 19)}] ${level.toUpperCase().padEnd(5)} ${msg}`;
    for (const sink of this.sinks) sink(level, line);
    if (ORDER[level] >= ORDER[this.level] && this.stream) this.stream.write(line + '\n');
  }
  debug(msg: string): void { this.write('debug', msg); }
  info(msg: string): void { this.write('info', msg); }
  warn(msg: string): void { this.write('warn', msg); }
  error(msg: string): void { this.write('error', msg); }
}

/** A logger that keeps lines in memory (tests). */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  debug(msg: string): void { this.lines.push(`DEBUG ${msg}`); }
  info(msg: string): void { this.lines.push(`INFO ${msg}`); }
  warn(msg: string): void { this.lines.push(`WARN ${msg}`); }
  error(msg: string): void { this.lines.push(`ERROR ${msg}`); }
}
