import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { KeysetError, parseHeader } from '@polykms/envelope';
import { type KeysetClaims, readKeysetClaims } from '../keyset-context.js';
import { withLockFile } from './lock-file.js';
import { readKeysetFile } from './read-keyset-file.js';

/**
 * Writes a keyset file so that no update is lost and no reader sees half a file. Under the lock
 * file, the file on disk must hold generation N - 1 of the same keyset for `message` at
 * generation N (or be absent for generation 1); otherwise another writer got there first and this
 * throws ERR_KEYSET_CONFLICT (read again, redo the change, write again). The new bytes go to a
 * temporary file that is fsynced, renamed over the old one, and the directory fsynced.
 */
export async function writeKeysetFile(path: string, message: Uint8Array): Promise<void> {
  const next = readKeysetClaims(parseHeader(message).encryptionContext);
  await withLockFile(path, async () => {
    checkSuccessor(path, await currentClaims(path), next);
    await replaceAtomically(path, message);
  });
}

async function currentClaims(path: string): Promise<KeysetClaims | undefined> {
  try {
    return readKeysetClaims(parseHeader(await readKeysetFile(path)).encryptionContext);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
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

async function replaceAtomically(path: string, message: Uint8Array): Promise<void> {
  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const file = await open(temporary, 'wx', 0o600);
  try {
    await file.writeFile(message);
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
