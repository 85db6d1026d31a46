import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { decrypt, encrypt, isPolykmsError } from '@polykms/envelope';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  KeysetKeyring,
  createKeyset,
  inspectKeyset,
  openKeyset,
  readKeysetFile,
  rotateKeyset,
  writeKeysetFile,
} from '../src/index.js';
import { withLockFile } from '../src/file/lock-file.js';
import { aesKeyring } from './support.js';

const kek = aesKeyring('kek');
let dir: string;
let path: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'polykms-keyset-'));
  path = join(dir, 'dataset.keyset');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('keyset files', () => {
  it('writes generation 1 only where no file is, and each next generation over its predecessor', async () => {
    const g1 = await createKeyset({ keyring: kek });
    await writeKeysetFile(path, g1);
    await expect(writeKeysetFile(path, await createKeyset({ keyring: kek }))).rejects.toMatchObject({
      code: 'ERR_KEYSET_CONFLICT',
    });
    const g2 = await rotateKeyset(await readKeysetFile(path), { unlock: kek });
    await writeKeysetFile(path, g2);
    expect(Buffer.from(await readKeysetFile(path))).toEqual(Buffer.from(g2));
    expect((await readdir(dir)).sort()).toEqual(['dataset.keyset']); // no temporary or lock file left
  });

  it('refuses a stale write: a change made from a generation no longer on disk (ERR_KEYSET_CONFLICT)', async () => {
    const g1 = await createKeyset({ keyring: kek });
    await writeKeysetFile(path, g1);
    const first = await rotateKeyset(g1, { unlock: kek });
    const second = await rotateKeyset(g1, { unlock: kek }); // also made from g1
    await writeKeysetFile(path, first);
    const error = await writeKeysetFile(path, second).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_KEYSET_CONFLICT', retryable: true });
    expect(Buffer.from(await readKeysetFile(path))).toEqual(Buffer.from(first));
  });

  it('refuses a fork: generation N made from another generation N - 1 than the one on disk', async () => {
    const g1 = await createKeyset({ keyring: kek });
    await writeKeysetFile(path, g1);
    // Two writers without a shared lock each rotate g1; one of them is written.
    const ours = await rotateKeyset(g1, { unlock: kek });
    const theirs = await rotateKeyset(g1, { unlock: kek });
    await writeKeysetFile(path, ours);
    // The other lineage goes on elsewhere: its generation 3 follows its own generation 2.
    const theirNext = await rotateKeyset(theirs, { unlock: kek });
    const error = await writeKeysetFile(path, theirNext).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_KEYSET_CONFLICT', retryable: true });
    expect((error as Error).message).toContain('fork');
    expect(Buffer.from(await readKeysetFile(path))).toEqual(Buffer.from(ours));
    // The generation made from the file on disk is written.
    await writeKeysetFile(path, await rotateKeyset(ours, { unlock: kek }));
    expect(inspectKeyset(await readKeysetFile(path)).generation).toBe(3);
  });

  it('names, in each generation after the first, the message id of the one it replaces', async () => {
    const g1 = await createKeyset({ keyring: kek });
    const g2 = await rotateKeyset(g1, { unlock: kek });
    expect(inspectKeyset(g1).parent).toBeUndefined();
    expect(inspectKeyset(g2).parent).toBe(inspectKeyset(g1).messageId);
  });

  it("refuses to replace another dataset's keyset (ERR_KEYSET_MISMATCH)", async () => {
    await writeKeysetFile(path, await createKeyset({ keyring: kek }));
    const other = await rotateKeyset(await createKeyset({ keyring: kek }), { unlock: kek });
    await expect(writeKeysetFile(path, other)).rejects.toMatchObject({ code: 'ERR_KEYSET_MISMATCH' });
  });

  it('refuses to write while the lock file is held (ERR_KEYSET_LOCKED), naming the lock', async () => {
    const g1 = await createKeyset({ keyring: kek });
    await writeFile(`${path}.lock`, '4242\n');
    const error = await writeKeysetFile(path, g1).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_KEYSET_LOCKED', retryable: true });
    expect((error as Error).message).toContain(`${path}.lock`);
    await rm(`${path}.lock`);
    await writeKeysetFile(path, g1);
  });

  it('says who holds the lock and, on this host, whether that process still runs', async () => {
    const g1 = await createKeyset({ keyring: kek });
    const exited = spawnSync(process.execPath, ['-e', '']).pid;
    const since = '2026-12-02T09:00:00.000Z';
    const messageFor = async (content: string) => {
      await writeFile(`${path}.lock`, content);
      const error = await writeKeysetFile(path, g1).catch((e: unknown) => e);
      await rm(`${path}.lock`);
      expect(error).toMatchObject({ code: 'ERR_KEYSET_LOCKED' });
      return (error as Error).message;
    };
    expect(await messageFor(`${exited} t0ken ${hostname()} ${since}\n`)).toContain(
      `(process ${exited} on host ${hostname()}, since ${since}; no such process is running: the lock is stale)`,
    );
    expect(await messageFor(`${process.pid} t0ken ${hostname()} ${since}\n`)).toContain(
      `(process ${process.pid} on host ${hostname()}, since ${since}; a process with that id is running)`,
    );
    // Another machine's process cannot be looked up from here: no claim either way.
    expect(await messageFor(`${exited} t0ken other\u0007host ${since}\n`)).toContain(
      `(process ${exited} on host other?host, since ${since}).`,
    );
    // A lock written before holders were recorded: the pid alone.
    expect(await messageFor('4242 t0ken\n')).toContain('(process 4242).');
    expect(await messageFor('not a lock')).toContain('is changing this keyset. Retry');
  });

  it('records its holder in the lock it takes, and removes it after', async () => {
    const content = await withLockFile(path, () => readFile(`${path}.lock`, 'utf8'));
    const [pid, token, host, since] = content.trim().split(' ');
    expect(Number(pid)).toBe(process.pid);
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(host).toBe(hostname());
    expect(Math.abs(Date.now() - Date.parse(since!))).toBeLessThan(60_000);
    expect(await readdir(dir)).not.toContain(`${basename(path)}.lock`);
  });

  it('writes through a symlink: the file it points at gets the new generation and the link stays', async () => {
    await mkdir(join(dir, 'store'));
    const target = join(dir, 'store', 'dataset.keyset');
    await symlink(target, path);
    const g1 = await createKeyset({ keyring: kek });
    await writeKeysetFile(target, g1);
    const g2 = await rotateKeyset(g1, { unlock: kek });
    await writeKeysetFile(path, g2);
    expect((await lstat(path)).isSymbolicLink()).toBe(true);
    expect(Buffer.from(await readKeysetFile(target))).toEqual(Buffer.from(g2));
    // Writers through either path share one lock and one lineage: a change made from g1 through
    // the real path is now stale.
    await expect(writeKeysetFile(target, await rotateKeyset(g1, { unlock: kek }))).rejects.toMatchObject({
      code: 'ERR_KEYSET_CONFLICT',
    });
    expect((await readdir(join(dir, 'store'))).sort()).toEqual(['dataset.keyset']);
  });

  it('keeps the mode of the file it replaces, and creates a new keyset file 0600', async () => {
    const g1 = await createKeyset({ keyring: kek });
    await writeKeysetFile(path, g1);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await chmod(path, 0o640); // shared with a service's group
    await writeKeysetFile(path, await rotateKeyset(g1, { unlock: kek }));
    expect((await stat(path)).mode & 0o777).toBe(0o640);
  });

  it('refuses to replace something that is not a regular file', async () => {
    await mkdir(path);
    await expect(writeKeysetFile(path, await createKeyset({ keyring: kek }))).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
  });

  it('never removes a lock it no longer holds (deleted by hand as stale, then taken by another writer)', async () => {
    await withLockFile(path, async () => {
      await rm(`${path}.lock`);
      await writeFile(`${path}.lock`, 'another writer\n');
    });
    expect(await readFile(`${path}.lock`, 'utf8')).toBe('another writer\n');
    await withLockFile(join(dir, 'other.keyset'), async () => {});
    expect(await readdir(dir)).not.toContain('other.keyset.lock'); // its own lock it does remove
  });

  it('refuses a file larger than a keyset can be before reading it (ERR_LIMIT_EXCEEDED)', async () => {
    await writeFile(path, Buffer.alloc((1 << 20) + 1));
    await expect(readKeysetFile(path)).rejects.toMatchObject({ code: 'ERR_LIMIT_EXCEEDED' });
  });

  it('loses no version to concurrent writers: every successful write survives, every other writer gets a typed error', async () => {
    await writeKeysetFile(path, await createKeyset({ keyring: kek }));
    // Each successful writer encrypts a message under the version it added: if a later write
    // replaced that version (same number, other key), the message would no longer decrypt.
    const written: Uint8Array[] = [];
    let conflicts = 0;
    const writeWaitingForLock = async (bytes: Uint8Array): Promise<void> => {
      for (;;) {
        try {
          return await writeKeysetFile(path, bytes);
        } catch (error) {
          if (!isPolykmsError(error, 'ERR_KEYSET_LOCKED')) throw error;
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      }
    };
    const writer = async () => {
      for (let round = 0; round < 6; round++) {
        const next = await rotateKeyset(await readKeysetFile(path), { unlock: kek });
        try {
          await writeWaitingForLock(next);
        } catch (error) {
          if (!isPolykmsError(error, 'ERR_KEYSET_CONFLICT')) throw error;
          conflicts++;
          continue;
        }
        const keyset = await openKeyset(next, { keyring: kek });
        written.push((await encrypt(Buffer.from('x'), { keyring: new KeysetKeyring(keyset) })).message);
        keyset.close();
      }
    };
    await Promise.all(Array.from({ length: 8 }, writer));

    const final = await openKeyset(await readKeysetFile(path), { keyring: kek });
    expect(written.length + conflicts).toBe(48);
    expect(conflicts).toBeGreaterThan(0); // the writers did race
    expect(final.generation).toBe(written.length + 1);
    expect(final.versions.length).toBe(written.length + 1);
    const lost = [];
    for (const message of written) {
      try {
        await decrypt(message, { keyring: new KeysetKeyring(final) });
      } catch {
        lost.push(message);
      }
    }
    final.close();
    expect(lost.length).toBe(0);
  });
});
