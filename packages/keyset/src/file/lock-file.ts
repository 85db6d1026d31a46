import { randomBytes } from 'node:crypto';
import { open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { KeysetError } from '@polykms/envelope';
import { describeLockHolder } from './lock-holder.js';

/**
 * Runs `task` holding `<path>.lock`, created with O_EXCL: of all writers of one keyset file (on
 * one machine or a shared POSIX file system), at most one is between its check and its rename.
 * A lock left by a crashed writer is not taken over (two writers could each judge it stale and
 * both proceed): the error says who holds it and, on the same host, whether that process still
 * runs, so that a stale lock can be told from a live one before it is removed by hand.
 */
export async function withLockFile<T>(path: string, task: () => Promise<T>): Promise<T> {
  const lockPath = `${path}.lock`;
  // A token of our own in the lock, so that we never remove a lock we no longer hold (one deleted
  // by hand as "stale" and taken by another writer while we ran).
  // Also who and when, for the error another writer gets (see describeLockHolder).
  const mine = `${process.pid} ${randomBytes(16).toString('hex')} ${hostname()} ${new Date().toISOString()}\n`;
  let lock: Awaited<ReturnType<typeof open>>;
  try {
    lock = await open(lockPath, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = describeLockHolder(await readFile(lockPath, 'utf8').catch(() => ''));
    throw new KeysetError(
      'ERR_KEYSET_LOCKED',
      `${lockPath} exists: another writer is changing this keyset${holder}. Retry; if no writer is running (one crashed), delete ${lockPath}`,
    );
  }
  try {
    await lock.writeFile(mine);
    await lock.close();
  } catch (error) {
    // Created by us a moment ago and not yet marked (disk full): nobody else can hold it.
    await lock.close().catch(() => {});
    await unlink(lockPath).catch(() => {});
    throw error;
  }
  try {
    return await task();
  } finally {
    await releaseIfMine(lockPath, mine);
  }
}

async function releaseIfMine(lockPath: string, mine: string): Promise<void> {
  const held = await readFile(lockPath, 'utf8').catch(() => undefined);
  if (held === mine) await unlink(lockPath).catch(() => {});
}
