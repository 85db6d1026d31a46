import { encrypt, isPolykmsError } from '@polykms/envelope';
import { describe, expect, it } from 'vitest';
import { createKeyset, openKeyset, rotateKeyset } from '../src/index.js';
import { keysetContext } from '../src/keyset-context.js';
import { encodeKeyset } from '../src/serialize.js';
import { aesKeyring, countingKeyring } from './support.js';

const kek = aesKeyring('kek');
const keyset = await createKeyset({ keyring: kek });
const { keysetId } = await openKeyset(keyset, { keyring: kek }).then((k) => {
  k.close();
  return k;
});

async function openError(bytes: Uint8Array, options: { keysetId?: string; minGeneration?: number } = {}) {
  return openKeyset(bytes, { keyring: kek, ...options }).then(
    (k) => {
      k.close();
      return undefined;
    },
    (error: unknown) => error,
  );
}

describe('a keyset that must not be used is refused with a typed error', () => {
  it('refuses every single-bit flip, at every byte of the file', async () => {
    expect(await openError(keyset)).toBeUndefined(); // control
    const accepted: number[] = [];
    for (let i = 0; i < keyset.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const flipped = Buffer.from(keyset);
        flipped[i] = (flipped[i] as number) ^ bit;
        const error = await openError(flipped);
        if (!isPolykmsError(error)) accepted.push(i);
      }
    }
    expect(accepted).toEqual([]);
  });

  it('refuses the file truncated at every length', async () => {
    const accepted: number[] = [];
    for (let length = 0; length < keyset.length; length++) {
      if (!isPolykmsError(await openError(keyset.subarray(0, length)))) accepted.push(length);
    }
    expect(accepted).toEqual([]);
  });

  it('refuses another dataset’s keyset when the expected id is given (ERR_KEYSET_MISMATCH)', async () => {
    const other = await createKeyset({ keyring: kek });
    expect(await openError(keyset, { keysetId })).toBeUndefined(); // control
    expect(await openError(other, { keysetId })).toMatchObject({ code: 'ERR_KEYSET_MISMATCH' });
  });

  it('refuses a generation older than minGeneration (ERR_STALE_KEYSET), before any unwrap', async () => {
    const g2 = await rotateKeyset(keyset, { unlock: kek });
    expect(await openError(g2, { minGeneration: 2 })).toBeUndefined(); // control
    const counting = countingKeyring(kek);
    const error = await openKeyset(keyset, { keyring: counting, minGeneration: 2 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_STALE_KEYSET' });
    expect(counting.unwraps()).toBe(0);
  });

  it('refuses pins that can never match instead of ignoring them (ERR_INVALID_ARGUMENT)', async () => {
    // Number(undefined) is NaN, and every comparison with NaN is false: an unset pin let any
    // stale copy through.
    for (const minGeneration of [Number.NaN, 0, 1.5, -1, 2 ** 32]) {
      expect(await openError(keyset, { minGeneration })).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    }
    for (const id of [keysetId.toUpperCase(), keysetId.slice(1), '']) {
      expect(await openError(keyset, { keysetId: id })).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    }
    await expect(rotateKeyset(keyset, { unlock: kek, minGeneration: Number.NaN })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
  });

  it('refuses a keyset that its keyring cannot open (ERR_NO_DECRYPTABLE_KEY)', async () => {
    expect(await openKeyset(keyset, { keyring: aesKeyring('other') }).catch((e: unknown) => e)).toMatchObject(
      {
        code: 'ERR_NO_DECRYPTABLE_KEY',
      },
    );
    // Same name, other key bytes: the EDK is tried and fails to authenticate.
    const impostor = aesKeyring('kek');
    expect(await openKeyset(keyset, { keyring: impostor }).catch((e: unknown) => e)).toMatchObject({
      code: 'ERR_NO_DECRYPTABLE_KEY',
    });
  });

  it('refuses a data message that is not a keyset (ERR_KEYSET_MISMATCH)', async () => {
    const { message } = await encrypt(Buffer.alloc(27), { keyring: kek });
    expect(await openError(message)).toMatchObject({ code: 'ERR_KEYSET_MISMATCH' });
  });

  it('refuses an authentic keyset whose plaintext contradicts its context (ERR_KEYSET_MISMATCH)', async () => {
    // Written by someone holding the KEK but not following the format: the context claims
    // generation 7 while the plaintext is generation 1.
    const content = {
      keysetId,
      generation: 1,
      versions: [{ version: 1, state: 'primary' as const, createdAt: new Date(), key: Buffer.alloc(32, 7) }],
    };
    const { message } = await encrypt(encodeKeyset(content), {
      keyring: kek,
      encryptionContext: keysetContext({ ...content, generation: 7 }),
    });
    expect(await openError(message)).toMatchObject({ code: 'ERR_KEYSET_MISMATCH' });
  });

  it('refuses to rotate past the last u32 version number with a typed error (ERR_LIMIT_EXCEEDED)', async () => {
    const content = {
      keysetId,
      generation: 1,
      versions: [
        { version: 2 ** 32 - 1, state: 'primary' as const, createdAt: new Date(), key: Buffer.alloc(32, 7) },
      ],
    };
    const { message } = await encrypt(encodeKeyset(content), {
      keyring: kek,
      encryptionContext: keysetContext(content),
    });
    await expect(rotateKeyset(message, { unlock: kek })).rejects.toMatchObject({
      code: 'ERR_LIMIT_EXCEEDED',
    });
  });
});
