import { type ExitCodeValue, ExitCode } from './exit-codes.js';

/** A failure the CLI itself detects (bad flag combination, output exists); says what to do. */
export class CliError extends Error {
  readonly exitCode: ExitCodeValue;

  constructor(message: string, exitCode: ExitCodeValue = ExitCode.Usage) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
