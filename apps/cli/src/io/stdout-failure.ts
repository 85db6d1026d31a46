import { ExitCode } from '../exit-codes.js';
import { describeIoError } from '../report-error.js';

/** Errors of writing to stdout that say where the output went, not that polykms has a bug. */
const OUTPUT_ERRNOS: ReadonlySet<string> = new Set(['EPIPE', 'ENOSPC', 'EFBIG', 'EDQUOT', 'EIO']);

/**
 * What to do when stdout fails: `… | head` closed it (EPIPE), the disk behind a redirect filled
 * up (ENOSPC), a file-size limit was hit (EFBIG, `ulimit -f`). A sentence on stderr and the file
 * error exit code (8), not a stack trace. Returns the exit code, or undefined for other errors.
 */
export function stdoutFailure(
  error: NodeJS.ErrnoException,
  write: (line: string) => void,
): number | undefined {
  if (error.code === undefined || !OUTPUT_ERRNOS.has(error.code)) return undefined;
  // A reader that went away wants no more output, nor to be told about it.
  if (error.code !== 'EPIPE') write(`polykms: error: writing the output failed: ${describeIoError(error)}`);
  return ExitCode.Io;
}
