import { type Command, CommanderError } from 'commander';
import { ExitCode } from './exit-codes.js';
import { buildProgram } from './program.js';
import { reportError } from './report-error.js';

/** Runs the CLI and returns the exit code (the caller sets it, so pending output can drain). */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  const overrideExit = (command: Command): void => {
    command.exitOverride();
    for (const sub of command.commands) overrideExit(sub);
  };
  overrideExit(program);
  try {
    await program.parseAsync([...argv]);
    // A command that finished with a non-zero status (migrate with failures) set process.exitCode.
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end here too, with exit code 0; commander already printed the message.
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    return reportError(error, (line) => process.stderr.write(`${line}\n`));
  }
}
