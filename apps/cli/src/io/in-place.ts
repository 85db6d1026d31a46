import { lstat, realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import { CliError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import { printable } from './terminal-text.js';

/** The file an in-place rewrite replaces, and the attributes its replacement must keep. */
export interface InPlaceTarget {
  /** The file itself: the target of a symbolic link, so that the link stays and points at the new file. */
  readonly path: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

export interface InPlaceOptions {
  /**
   * A directory the file must lie in, through no symbolic link (migrate): the tree was listed
   * before, and someone who can write to it may have swapped a file or a folder for a link since.
   */
  readonly within?: string | undefined;
}

async function assertStaysWithin(path: string, isLink: boolean, root: string): Promise<void> {
  const [real, realRoot] = await Promise.all([realpath(path), realpath(root)]);
  if (isLink || !real.startsWith(realRoot + sep)) {
    throw new CliError(
      `'${printable(path)}' is not a file inside '${printable(root)}' any more (a symbolic link was put in its way): left as it is`,
      ExitCode.Io,
    );
  }
}

/**
 * Where to write a file that is replaced in place (rewrap, migrate). The new file is renamed over
 * the old one, which replaces a directory entry, not the file: through a symbolic link that would
 * replace the link and leave the old file behind it, so the link's target is rewritten instead.
 * A file with other hard links is refused: those names would keep the old header, and old and new
 * headers together let anyone forge the message.
 */
export async function inPlaceTarget(path: string, options: InPlaceOptions = {}): Promise<InPlaceTarget> {
  const link = await lstat(path);
  if (options.within !== undefined) await assertStaysWithin(path, link.isSymbolicLink(), options.within);
  const target = link.isSymbolicLink() ? await realpath(path) : path;
  const file = link.isSymbolicLink() ? await stat(target) : link;
  if (!file.isFile()) {
    throw new CliError(`'${printable(path)}' is not a regular file`, ExitCode.Io);
  }
  if (file.nlink > 1) {
    throw new CliError(
      `'${printable(path)}' has ${file.nlink} hard links: rewriting it in place would leave the old ` +
        'message under the other names, and old and new headers together let anyone forge it. ' +
        'Remove the other links first (find them with `find / -samefile FILE`), or write a new ' +
        'file with --output and delete every copy of the old one.',
      ExitCode.Io,
    );
  }
  return { path: target, mode: file.mode & 0o7777, uid: file.uid, gid: file.gid };
}
