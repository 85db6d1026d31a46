import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPolykmsError } from '@polykms/envelope';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createKeyset,
  inspectKeyset,
  openKeyset,
  readKeysetFile,
  rotateKeyset,
  writeKeysetFile,
} from '../src/index.js';
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

  it('refuses a file larger than a keyset can be before reading it (ERR_LIMIT_EXCEEDED)', async () => {
    await writeFile(path, Buffer.alloc((1 << 20) + 1));
    await expect(readKeysetFile(path)).rejects.toMatchObject({ code: 'ERR_LIMIT_EXCEEDED' });
  });

  it('loses no version to concurrent writers: every successful write survives, every other writer gets a typed error', async () => {
    await writeKeysetFile(path, await createKeyset({ keyring: kek }));
    const written: number[] = []; // the primary version each successful write added
    let refused = 0;
    const writer = async () => {
      for (let round = 0; round < 6; round++) {
        const next = await rotateKeyset(await readKeysetFile(path), { unlock: kek });
        try {
          await writeKeysetFile(path, next);
          const claims = inspectKeyset(next);
          written.push(claims.versions.find((v) => v.state === 'primary')?.version ?? -1);
        } catch (error) {
          if (!isPolykmsError(error, 'ERR_KEYSET_CONFLICT') && !isPolykmsError(error, 'ERR_KEYSET_LOCKED')) {
            throw error;
          }
          refused++;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, writer));

    const final = await openKeyset(await readKeysetFile(path), { keyring: kek });
    const held = final.versions.map((v) => v.version);
    final.close();
    expect(written.length + refused).toBe(48);
    expect(written.length).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0); // the writers did race
    // Each success added one version on top of the last: all of them are in the final keyset.
    for (const version of written) expect(held).toContain(version);
    expect(held.length).toBe(written.length + 1);
    expect(final.generation).toBe(written.length + 1);
  });
});
