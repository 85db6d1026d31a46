import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { InvalidArgumentError, KeysetError, parseHeader } from '@polykms/envelope';
import { type KeysetClaims, readKeysetClaims } from '../keyset-context.js';
import { withLockFile } from './lock-file.js';
import { readKeysetFile } from './read-keyset-file.js';

/** Mode of a new keyset file: it is encrypted, but it names its recipients and is nobody else's business. */
const NEW_FILE_MODE = 0o600;

/**
 * Writes a keyset file so that no update is lost and no reader sees half a file. Under the lock
 * file, the file on disk must hold generation N - 1 of the same keyset for `message` at
 * generation N (or be absent for generation 1); otherwise another writer got there first and this
 * throws ERR_KEYSET_CONFLICT (read again, redo the change, write again). The new bytes go to a
 * temporary file that is fsynced, renamed over the old one, and the directory fsynced.
 *
 * A symlink is written through: the file it points at is locked, checked and replaced (with its
 * mode and, where allowed, its owner), so every path to one keyset file sees every generation and
 * writers through different paths still take one lock. Replacing the link itself would fork the
 * keyset: readers of the target would stay on the old generation and a later rotation made there
 * would give a second, different version under the same number.
 */
export async function writeKeysetFile(path: string, message: Uint8Array): Promise<void> {
  const next = readKeysetClaims(parseHeader(message).encryptionContext);
  const target = await resolveTarget(path);
  await withLockFile(target, async () => {
    const current = await currentFile(target);
    checkSuccessor(path, current?.claims, next);
    await replaceAtomically(target, message, current?.stats);
  });
}

/** The file `path` names, through any symlinks; `path` itself when nothing is there yet. */
async function resolveTarget(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return path;
    throw error;
  }
}

async function currentFile(path: string): Promise<{ claims: KeysetClaims; stats: Stats } | undefined> {
  let stats: Stats;
  try {
    stats = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  // A FIFO would block the read below, and a rename would replace a device by a plain file.
  if (!stats.isFile()) throw new InvalidArgumentError(`${path} is not a regular file`);
  return { claims: readKeysetClaims(parseHeader(await readKeysetFile(path)).encryptionContext), stats };
}

function checkSuccessor(path: string, current: KeysetClaims | undefined, next: KeysetClaims): void {
  if (current === undefined) {
    if (next.generation === 1) return;
    throw new KeysetError(
      'ERR_KEYSET_CONFLICT',
      `${path} is gone: cannot write generation ${next.generation} of keyset ${next.keysetId} in place of it`,
    );
  }
  if (next.generation === 1) {
    throw new KeysetError(
      'ERR_KEYSET_CONFLICT',
      `${path} already holds keyset ${current.keysetId}: a new keyset is never written over one`,
    );
  }
  if (current.keysetId !== next.keysetId) {
    throw new KeysetError(
      'ERR_KEYSET_MISMATCH',
      `${path} holds keyset ${current.keysetId}, not ${next.keysetId}: refusing to replace another dataset's keyset`,
    );
  }
  if (current.generation !== next.generation - 1) {
    throw new KeysetError(
      'ERR_KEYSET_CONFLICT',
      `${path} is at generation ${current.generation}; this write replaces generation ${next.generation - 1}. ` +
        'Another writer changed the keyset: read it again and redo the change',
    );
  }
}

async function replaceAtomically(
  path: string,
  message: Uint8Array,
  replaced: Stats | undefined,
): Promise<void> {
  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const file = await open(temporary, 'wx', NEW_FILE_MODE);
  try {
    await file.writeFile(message);
    if (replaced) await keepOwnerAndMode(file, replaced);
    await file.sync();
    await file.close();
    await rename(temporary, path);
  } catch (error) {
    await file.close().catch(() => {});
    await unlink(temporary).catch(() => {});
    throw error;
  }
  const dir = await open(directory, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/**
 * The replaced file's mode (a keyset shared with a service's group must stay readable by it after
 * a rotation) and, where this process may set them, its owner and group.
 */
async function keepOwnerAndMode(file: Awaited<ReturnType<typeof open>>, replaced: Stats): Promise<void> {
  await file.chown(replaced.uid, replaced.gid).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPERM') throw error;
  });
  await file.chmod(replaced.mode & 0o7777);
}
