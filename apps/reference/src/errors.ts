/**
 * An error the CLI reports as one line (no stack trace unless `--verbose`), with a
 * non-zero exit code. The message says what was wrong and what to do.
 */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "CliError";
    this.exitCode = options.exitCode ?? 2;
  }
}
