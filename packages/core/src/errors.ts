/** Errors that the CLI turns into one clear line and an exit code. */
export class IernError extends Error {
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** A config problem: names the key path. Exit code 2, like a usage error. */
export class ConfigError extends IernError {
  constructor(
    readonly keyPath: string,
    readonly problem: string,
  ) {
    super(keyPath ? `config error at ${keyPath}: ${problem}` : `config error: ${problem}`, 2);
  }
}

/** A data problem: names the file (and line when known). */
export class DataError extends IernError {
  constructor(
    readonly file: string,
    problem: string,
    readonly line?: number,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${problem}`, 1);
  }
}
