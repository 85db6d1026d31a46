import { CliError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';

/** The file argument that means stdin (or, for --output, stdout). */
export const STDIO = '-';

/** Refuses to dump binary onto a terminal, where it would garble the screen. */
export function assertBinaryStdoutAllowed(what: string): void {
  if (process.stdout.isTTY) {
    throw new CliError(
      `refusing to write ${what} to a terminal: pass --output FILE or redirect stdout`,
      ExitCode.Usage,
    );
  }
}

export async function writeStdout(data: Uint8Array): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    process.stdout.write(data, (error) => (error ? reject(error) : resolve()));
  });
}
