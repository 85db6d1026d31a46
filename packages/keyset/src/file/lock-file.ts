import { open, unlink } from 'node:fs/promises';
import { KeysetError } from '@polykms/envelope';

/**
 * Runs `task` holding `<path>.lock`, created with O_EXCL: of all writers of one keyset file (on
 * one machine or a shared POSIX file system), at most one is between its check and its rename.
 * A lock left by a crashed writer is not taken over: the error says to remove it by hand.
 */
export async function withLockFile<T>(path: string, task: () => Promise<T>): Promise<T> {
  const lockPath = `${path}.lock`;
  let lock: Awaited<ReturnType<typeof open>>;
  try {
    lock = await open(lockPath, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new KeysetError(
      'ERR_KEYSET_LOCKED',
      `${lockPath} exists: another writer is changing this keyset. Retry; if no writer is running (one crashed), delete ${lockPath}`,
    );
  }
  try {
    await lock.writeFile(`${process.pid}\n`);
    await lock.close();
    return await task();
  } finally {
    await unlink(lockPath).catch(() => {});
  }
}
