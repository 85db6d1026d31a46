import { CliError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import { assertWritable, writeFileAtomic } from './atomic-output.js';
import { STDIO } from './input.js';

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

/** Writes the whole output to a file atomically, or to stdout for `-`. */
export async function writeOutput(path: string, data: Uint8Array, force: boolean): Promise<void> {
  if (path === STDIO) return writeStdout(data);
  await assertWritable(path, force);
  await writeFileAtomic(path, data, force);
}
