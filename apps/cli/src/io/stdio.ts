import { CliError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';

/** The file argument that means stdin (or, for --output, stdout). */
export const STDIO = '-';

/**
 * Refuses to read a message from a terminal: nobody types one, and the command would wait
 * silently for input that never comes.
 */
export function assertStdinIsNotTerminal(command: string, stdin: { isTTY?: boolean } = process.stdin): void {
  if (stdin.isTTY) {
    throw new CliError(
      `${command} reads a message from stdin, which is a terminal: give a FILE, or pipe a message in (\`… | polykms ${command}\`)`,
      ExitCode.Usage,
    );
  }
}

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
