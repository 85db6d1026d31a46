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
    checkParent(path, current?.messageId, next);
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

async function currentFile(
  path: string,
): Promise<{ claims: KeysetClaims; messageId: string; stats: Stats } | undefined> {
  let stats: Stats;
  try {
    stats = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  // A FIFO would block the read below, and a rename would replace a device by a plain file.
  if (!stats.isFile()) throw new InvalidArgumentError(`${path} is not a regular file`);
  const header = parseHeader(await readKeysetFile(path));
  return {
    claims: readKeysetClaims(header.encryptionContext),
    messageId: Buffer.from(header.messageId).toString('hex'),
    stats,
  };
}

/**
 * Generation N must have been made from the very generation N - 1 on disk: two writers without a
 * common lock (two machines, a copy restored from elsewhere) can each make an N from their own N - 1,
 * and writing one over the other would drop the versions, and so the data, of that lineage.
 * Keysets written before the parent claim carry none: only the generation number is checked then.
 */
function checkParent(path: string, currentMessageId: string | undefined, next: KeysetClaims): void {
  if (currentMessageId === undefined || next.parent === undefined || next.parent === currentMessageId) return;
  throw new KeysetError(
    'ERR_KEYSET_CONFLICT',
    `${path} holds a different generation ${next.generation - 1} of keyset ${next.keysetId} than the one this ` +
      'write was made from (a fork: two writers without a shared lock). Writing it would lose the versions ' +
      'of the keyset on disk: read that one again and redo the change',
  );
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
