import { type ErrorCode, isPolykmsError } from '@polykms/envelope';
import { CliError } from './cli-error.js';
import { ExitCode, type ExitCodeValue, exitCodeFor } from './exit-codes.js';
import { redactCredentials } from './io/redact.js';
import { printable } from './io/terminal-text.js';
import { keyUriHint } from './io/key-uri-suggestion.js';
import { inUserWords } from './io/user-wording.js';

const hints: Partial<Record<ExitCodeValue, string>> = {
  [ExitCode.Usage]: 'Run the command with --help to see its options and examples.',
  [ExitCode.DecryptFailed]:
    'The message was altered or truncated, or a wrapped data key does not open: restore it from a good copy.',
  [ExitCode.NoKey]:
    'Pass a --key (with --keyset: an --unlock) that is one of the recipients (`polykms inspect FILE`, or ' +
    '`polykms keyset inspect FILE` for a keyset, lists them) and check that your credentials may use it.',
  [ExitCode.ContextMismatch]: 'Compare --expect-context with the context that `polykms inspect FILE` shows.',
  [ExitCode.MalformedInput]: 'Is this an encrypted message? `polykms inspect FILE` reads its header.',
  [ExitCode.ProviderUnavailable]:
    'The KMS could not be reached or is throttling: try again later, or decrypt through another recipient.',
};

/**
 * Hints for codes whose exit code's hint would send the user the wrong way: a keyset refused for
 * its id, generation or versions has nothing to do with --expect-context or --key.
 */
const codeHints: Partial<Record<ErrorCode, string>> = {
  ERR_KEYSET_MISMATCH:
    'Check the --keyset file and --keyset-id: `polykms keyset inspect FILE` shows the id the file claims.',
  ERR_STALE_KEYSET:
    'The --keyset file is older than --min-generation: restore the current keyset file, do not lower the pin.',
  ERR_KEY_VERSION_NOT_FOUND:
    'The keyset file lacks the version this message was wrapped under: use the current keyset file.',
};

/** A system error as a sentence: what went wrong with which file, never `ENOTDIR: …, stat`. */
export function describeIoError(error: NodeJS.ErrnoException): string {
  const path = error.path ? ` '${error.path}'` : '';
  switch (error.code) {
    case 'ENOTDIR':
      return `${path ? `${path.trim()}: a` : 'A'} part of the path is a file where a directory is needed`;
    case 'EFBIG':
      return 'the output grew past the largest file this process may write (a file-size limit such as `ulimit -f`, or the file system’s maximum)';
    case 'EDQUOT':
      return 'the disk quota is exhausted';
    case 'ENOENT':
      return `no such file or directory${path}`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied${path}`;
    case 'EISDIR':
      return `${path ? path.trim() : 'the path given'} is a directory, not a file (for every file under a directory: encrypt -r, decrypt -r or migrate)`;
    case 'EPIPE':
      return 'the program reading the output closed it before the end';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'ENAMETOOLONG':
      return `the file name is too long${path}`;
    default:
      return error.message;
  }
}

/**
 * Prints one failure to stderr and returns its exit code. Messages come from typed errors that
 * never contain plaintext or key material; causes (SDK errors) are printed only with POLYKMS_DEBUG=1.
 */
export function reportError(error: unknown, write: (line: string) => void): ExitCodeValue {
  const exitCode = error instanceof CliError ? error.exitCode : exitCodeFor(error);
  let message: string;
  if (error instanceof CliError || isPolykmsError(error)) message = error.message;
  else if (exitCode === ExitCode.Io) message = describeIoError(error as NodeJS.ErrnoException);
  else message = error instanceof Error ? error.message : String(error);
  const code = isPolykmsError(error) ? ` [${error.code}]` : '';
  // Messages may quote file names and header fields: escaped, they cannot forge lines of their own.
  // A URI's user:password never reaches the terminal; library class names are put in CLI terms.
  write(`polykms: error${code}: ${printable(inUserWords(redactCredentials(message)))}`);
  const uri = (error as { uri?: unknown } | undefined)?.uri;
  const spelling = typeof uri === 'string' ? keyUriHint(uri) : undefined;
  const hint =
    spelling ??
    (error instanceof CliError
      ? undefined
      : ((isPolykmsError(error) ? codeHints[error.code] : undefined) ?? hints[exitCode]));
  if (hint) write(`  ${printable(redactCredentials(hint))}`);
  if (process.env['POLYKMS_DEBUG'] === '1') writeDebug(error, write);
  return exitCode;
}

/** Stack and causes, for POLYKMS_DEBUG=1: SDK errors are the causes of our typed errors. */
function writeDebug(error: unknown, write: (line: string) => void): void {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined; depth++) {
    if (depth > 0) write('caused by:');
    write(
      current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : String(current),
    );
    current = current instanceof Error ? current.cause : undefined;
  }
}
