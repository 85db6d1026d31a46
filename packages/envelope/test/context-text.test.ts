import { describe, expect, it } from 'vitest';
import { decrypt, decryptIterable, encrypt, inspect, parseHeader } from '@polykms/envelope';
import { aesTestKeyring } from './support/keyrings.js';

// Encryption-context strings that plain JS objects or UTF-8 conversions handle surprisingly.
const keyring = aesTestKeyring('text');
const bom = '\uFEFF';

describe('a leading byte-order mark is part of a context string', () => {
  it('round-trips keys and values that start with U+FEFF, and keeps them apart from those without', async () => {
    const context = { note: `${bom}hello`, [`${bom}k`]: 'v', k: 'w' };
    const { message } = await encrypt(Buffer.from('x'), { keyring, encryptionContext: context });
    expect(inspect(message).encryptionContext).toEqual(context);
    const result = await decrypt(message, { keyring, encryptionContext: context });
    expect(result.encryptionContext).toEqual(context);
    await expect(decrypt(message, { keyring, encryptionContext: { note: 'hello' } })).rejects.toMatchObject({
      code: 'ERR_CONTEXT_MISMATCH',
    });
  });

  it('reads an EDK provider id with a leading U+FEFF as written', async () => {
    const { message } = await encrypt(Buffer.from('x'), {
      keyring: {
        description: 'bom',
        async wrap(request) {
          const dataKey = Buffer.alloc(request.suite.keyLength, 7);
          return {
            dataKey,
            encryptedDataKeys: [
              { providerId: `${bom}test`, providerInfo: Buffer.from('i'), ciphertext: Buffer.from('c') },
            ],
          };
        },
        async unwrap() {
          return null;
        },
      },
    });
    expect(parseHeader(message).encryptedDataKeys[0]?.providerId).toBe(`${bom}test`);
  });
});

describe('a context key named __proto__ is a pair like any other', () => {
  const proto = (value: string): Record<string, string> =>
    JSON.parse(`{"__proto__":${JSON.stringify(value)}}`);

  it('binds a stored __proto__ pair', async () => {
    const { message } = await encrypt(Buffer.from('x'), { keyring, encryptionContext: proto('tenant-A') });
    expect(Object.hasOwn(inspect(message).encryptionContext, '__proto__')).toBe(true);
    await expect(decrypt(message, { keyring, encryptionContext: proto('tenant-B') })).rejects.toMatchObject({
      code: 'ERR_CONTEXT_MISMATCH',
    });
  });

  it('binds a required (unstored) __proto__ pair', async () => {
    const { message } = await encrypt(Buffer.from('x'), {
      keyring,
      encryptionContext: proto('tenant-A'),
      requiredContextKeys: ['__proto__'],
    });
    expect(inspect(message).encryptionContext).toEqual({});
    for (const encryptionContext of [undefined, proto('tenant-B')]) {
      await expect(decrypt(message, { keyring, encryptionContext })).rejects.toMatchObject({
        code: 'ERR_DECRYPTION_FAILED',
      });
    }
    const result = await decrypt(message, { keyring, encryptionContext: proto('tenant-A') });
    expect(Object.hasOwn(result.encryptionContext, '__proto__')).toBe(true);
  });

  it('refuses an expected __proto__ pair that a message does not have', async () => {
    const { message } = await encrypt(Buffer.from('x'), { keyring });
    await expect(decrypt(message, { keyring, encryptionContext: proto('tenant-B') })).rejects.toMatchObject({
      code: 'ERR_DECRYPTION_FAILED',
    });
  });

  it('refuses requiredContextKeys that name an inherited property, not a pair', async () => {
    for (const key of ['__proto__', 'toString']) {
      await expect(
        encrypt(Buffer.from('x'), { keyring, encryptionContext: { a: 'b' }, requiredContextKeys: [key] }),
      ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    }
  });
});

describe('a lone UTF-16 surrogate is refused, since UTF-8 cannot encode it', () => {
  it('on encrypt: two such keys would serialize to the same bytes', async () => {
    await expect(
      encrypt(Buffer.from('x'), { keyring, encryptionContext: { '\uD800': 'a', '\uDC00': 'b' } }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(
      encrypt(Buffer.from('x'), { keyring, encryptionContext: { k: 'x\uDC00' } }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('on decrypt, in the expected context', async () => {
    const { message } = await encrypt(Buffer.from('x'), {
      keyring,
      encryptionContext: { k: '😀' },
      requiredContextKeys: ['k'],
    });
    await expect(decrypt(message, { keyring, encryptionContext: { k: '\uD83D' } })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    expect((await decrypt(message, { keyring, encryptionContext: { k: '😀' } })).encryptionContext).toEqual({
      k: '😀',
    });
  });
});

describe('a context field whose pairs overrun it', () => {
  async function overrunning(): Promise<Buffer> {
    const { message } = await encrypt(Buffer.from('x'), { keyring, encryptionContext: { a: 'b' } });
    const bytes = Buffer.from(message);
    // v2 header: version, suite id (2), message id (32), context length (2), pair count (2), key length.
    bytes.writeUInt16BE(0x00ff, 1 + 2 + 32 + 2 + 2);
    return bytes;
  }

  it('is malformed, not a header still arriving, even beyond maxHeaderBytes', async () => {
    const bytes = Buffer.concat([await overrunning(), Buffer.alloc(2048)]);
    expect(() => parseHeader(bytes, { maxHeaderBytes: 1024 })).toThrow(
      expect.objectContaining({ code: 'ERR_MALFORMED_MESSAGE' }),
    );
  });

  it('fails a stream at once instead of reading on to the header limit', async () => {
    const bytes = await overrunning();
    let pulled = 0;
    async function* source() {
      pulled++;
      yield bytes;
      for (;;) {
        pulled++;
        yield Buffer.alloc(64 * 1024);
      }
    }
    const read = async () => {
      for await (const _ of decryptIterable(source(), { keyring })) {
        // nothing is released
      }
    };
    await expect(read()).rejects.toMatchObject({ code: 'ERR_MALFORMED_MESSAGE' });
    expect(pulled).toBe(1);
  });
});
