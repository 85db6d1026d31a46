import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { InvalidArgumentError, zeroize } from '@polykms/envelope';

/** The largest key file read: an RSA-4096 file with both PEMs is under 6 KiB. */
export const MAX_KEY_FILE_BYTES = 64 * 1024;

/** A key file's text and the mode bits of the file it was read from. */
export interface KeyFileText {
  readonly text: string;
  readonly mode: number;
}

/**
 * Mode bits mean nothing on Windows (Node reports 0o666 or 0o444 from the read-only attribute) and
 * there is no uid; the checks that rely on them are skipped there.
 */
const posix = process.platform !== 'win32';

const octal = (mode: number) => `0${(mode & 0o777).toString(8).padStart(3, '0')}`;

/**
 * Reads a key file the way OpenSSH reads a private key: the checks are made on the opened handle
 * (so the file checked is the file read, with no window to swap it in between), and refuse
 *  - anything but a regular file (a directory, FIFO or device);
 *  - on POSIX, a file writable by group or others (anyone who can write it can replace the key,
 *    and every data key wrapped afterwards is then wrapped for them);
 *  - on POSIX, a file owned by neither this process's effective user nor root (its owner can
 *    replace it; root can replace anything anyway);
 *  - a file larger than MAX_KEY_FILE_BYTES, before reading it.
 * Symlinks are followed (secret mounts such as Kubernetes' are symlinks); the checks apply to the
 * file they lead to, not to the link or the directories on the way.
 * Whether the file may be readable by others depends on what it holds: see assertOwnerOnlyReadable.
 */
export async function readKeyFile(path: string): Promise<KeyFileText> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
    // O_NOCTTY: opening a terminal must not make it this process's controlling terminal.
    // Both are undefined (0) on Windows.
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  } catch (error) {
    throw new InvalidArgumentError(`cannot read key file ${path}`, { cause: error });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new InvalidArgumentError(`key file ${path} is not a regular file`);
    }
    if (posix) {
      const euid = process.geteuid?.();
      if (euid !== undefined && stats.uid !== euid && stats.uid !== 0) {
        throw new InvalidArgumentError(
          `key file ${path} is owned by uid ${stats.uid}, who can replace the key; it must be owned by ` +
            `this process's user (uid ${euid}) or root: run chown ${euid} ${path}`,
        );
      }
      if ((stats.mode & 0o022) !== 0) {
        throw new InvalidArgumentError(
          `key file ${path} is writable by group or others (mode ${octal(stats.mode)}), who can ` +
            `replace the key: run chmod 600 ${path}`,
        );
      }
    }
    if (stats.size > MAX_KEY_FILE_BYTES) {
      throw new InvalidArgumentError(
        `key file ${path} is ${stats.size} bytes; a key file is at most ${MAX_KEY_FILE_BYTES} bytes`,
      );
    }
    return { text: await readAtMost(handle, path), mode: stats.mode };
  } finally {
    await handle.close();
  }
}

/** The whole file as UTF-8, refused when it grew past the limit since it was checked. */
async function readAtMost(handle: Awaited<ReturnType<typeof open>>, path: string): Promise<string> {
  const buffer = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
  try {
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_KEY_FILE_BYTES) {
        throw new InvalidArgumentError(`key file ${path} is over ${MAX_KEY_FILE_BYTES} bytes`);
      }
    }
    return buffer.toString('utf8', 0, length);
  } finally {
    zeroize(buffer);
  }
}

/**
 * Refuses, on POSIX, a file holding secret key material (an AES key, an RSA private key) that group
 * or others can read. A file holding only an RSA public key may be world-readable.
 */
export function assertOwnerOnlyReadable(path: string, mode: number): void {
  if (posix && (mode & 0o044) !== 0) {
    throw new InvalidArgumentError(
      `key file ${path} holds a secret key and is readable by group or others (mode ${octal(mode)}): ` +
        `run chmod 600 ${path}`,
    );
  }
}
