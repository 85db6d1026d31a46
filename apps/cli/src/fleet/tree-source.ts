import { constants, createReadStream } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { dirname, sep } from 'node:path';
import { CliError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import type { Transform } from 'node:stream';
import { type Source, streamToOutput } from '../io/stream-io.js';
import { printable } from '../io/terminal-text.js';

/**
 * Opens a file of a tree listed earlier, refusing one that became a symbolic link or whose folder
 * now leads outside the tree: whoever can write to the tree could otherwise have polykms read a
 * file from elsewhere, or write its output there.
 */
export async function openTreeFile(root: string, path: string): Promise<Source> {
  const [realDir, realRoot] = await Promise.all([realpath(dirname(path)), realpath(root)]);
  if (realDir !== realRoot && !realDir.startsWith(realRoot + sep)) {
    throw new CliError(
      `'${printable(path)}' is not inside '${printable(root)}' any more (a folder was replaced by a symbolic link): left as it is`,
      ExitCode.Io,
    );
  }
  const handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0)).catch((error) => {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP')
      throw new CliError(
        `'${printable(path)}' became a symbolic link since it was listed: left as it is`,
        ExitCode.Io,
      );
    throw error;
  });
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    throw new CliError(`'${printable(path)}' is not a regular file any more: left as it is`, ExitCode.Io);
  }
  return { stream: createReadStream('', { fd: handle }), size: stats.size };
}

/**
 * Streams a file of the tree through the transform `through` makes into `output`, which appears
 * whole or not at all (see streamToOutput); the file is closed on every path, failures included.
 */
export async function transformTreeFile(
  root: string,
  path: string,
  through: (source: Source) => Transform,
  output: string,
  overwrite: boolean,
): Promise<void> {
  const source = await openTreeFile(root, path);
  try {
    await streamToOutput(source, through(source), output, undefined, { overwrite });
  } finally {
    source.stream.destroy();
  }
}
