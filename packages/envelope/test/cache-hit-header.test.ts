import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CachingKeyring,
  type Keyring,
  type MessageHeader,
  type WrapRequest,
  decrypt,
  encrypt,
  inspect,
  parseHeader,
} from '@polykms/envelope';
import { testKeyring } from './stream-test-keyring.js';

/** The header as a reader of the bytes sees it, in comparable form. */
function parsedFields(message: Uint8Array) {
  return fieldsOf(parseHeader(message));
}

function fieldsOf(header: MessageHeader) {
  return {
    messageId: Buffer.from(header.messageId).toString('hex'),
    context: { ...header.encryptionContext },
    edks: header.encryptedDataKeys.map((edk) => ({
      providerId: edk.providerId,
      providerInfo: Buffer.from(edk.providerInfo).toString('hex'),
      ciphertext: Buffer.from(edk.ciphertext).toString('hex'),
    })),
    frameLength: header.frameLength,
    length: header.length,
  };
}

describe('encrypt on a data-key cache hit (header built from the entry template)', () => {
  it('writes, for every layout, the header a reader parses and a message that decrypts', async () => {
    const inner = testKeyring('inner');
    const keyring = new CachingKeyring({ keyring: inner, maxAge: 60_000 });
    const context = { tenant: 'a', region: 'eu', purpose_of_data: 'bench' };
    const layouts = [
      { frameLength: 4096, requiredContextKeys: [] },
      { frameLength: 512, requiredContextKeys: [] },
      { frameLength: 4096, requiredContextKeys: ['region'] },
      { frameLength: 4096, requiredContextKeys: ['tenant', 'region'] },
      { frameLength: 1024, requiredContextKeys: ['region'] },
      { frameLength: 2048, requiredContextKeys: ['tenant'] },
    ];
    const ids = new Set<string>();
    for (let round = 0; round < 3; round++) {
      for (const layout of layouts) {
        const plaintext = randomBytes(1500);
        const { message, header } = await encrypt(plaintext, {
          keyring,
          encryptionContext: context,
          ...layout,
        });
        expect(fieldsOf(header)).toEqual(parsedFields(message));
        ids.add(fieldsOf(header).messageId);
        const required = Object.fromEntries(
          layout.requiredContextKeys.map((key) => [key, context[key as 'tenant']]),
        );
        const stored = Object.fromEntries(
          Object.entries(context).filter(([key]) => !layout.requiredContextKeys.includes(key)),
        );
        expect(header.encryptionContext).toEqual(stored);
        const opened = await decrypt(message, { keyring: inner, encryptionContext: required });
        expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
      }
    }
    expect(inner.calls.wrap).toBe(1);
    expect(keyring.stats().hits).toBe(3 * layouts.length - 1);
    expect(ids.size).toBe(3 * layouts.length);
  });

  it('keeps later messages intact when a caller changes the EDK bytes of a header it was given', async () => {
    const inner = testKeyring('inner');
    const keyring = new CachingKeyring({ keyring: inner, maxAge: 60_000 });
    const options = { keyring, encryptionContext: { tenant: 'a' } };
    await encrypt(randomBytes(10), options); // the miss that fills the cache
    const first = await encrypt(randomBytes(10), options); // a hit: the template is built here
    const shown = first.header.encryptedDataKeys[0]!;
    const original = Buffer.from(shown.ciphertext);
    (shown.ciphertext as Uint8Array).fill(0);

    // The same layout (its template is kept), and a new one (its template is built after the change).
    for (const frameLength of [4096, 512]) {
      const later = await encrypt(Buffer.from('after'), { ...options, frameLength });
      expect(Buffer.from(parseHeader(later.message).encryptedDataKeys[0]!.ciphertext).equals(original)).toBe(
        true,
      );
      expect(Buffer.from((await decrypt(later.message, { keyring: inner })).plaintext).toString()).toBe(
        'after',
      );
    }
    expect(inner.calls.wrap).toBe(1);
  });

  it('writes the EDKs a keyring wrapping the cache returned, not the cached ones', async () => {
    const inner = testKeyring('inner');
    const extra = testKeyring('extra');
    const caching = new CachingKeyring({ keyring: inner, maxAge: 60_000 });
    // Adds a second recipient to whatever the cache hands out: the result is a new object.
    const wrapper: Keyring = {
      description: 'wrapper',
      async wrap(request: WrapRequest) {
        const result = await caching.wrap(request);
        const more = await extra.wrap({ ...request, dataKey: result.dataKey });
        return { ...result, encryptedDataKeys: [...result.encryptedDataKeys, ...more.encryptedDataKeys] };
      },
      unwrap: (request) => caching.unwrap(request),
    };
    const options = { keyring: wrapper, encryptionContext: { tenant: 'a' } };
    await encrypt(randomBytes(10), options);
    const { message, header } = await encrypt(Buffer.from('both'), options);
    expect(caching.stats().hits).toBe(1);
    expect(header.encryptedDataKeys.map((edk) => edk.providerInfo.length > 0)).toEqual([true, true]);
    expect(inspect(message).encryptedDataKeys).toHaveLength(2);
    expect(Buffer.from((await decrypt(message, { keyring: extra })).plaintext).toString()).toBe('both');
  });

  it('refuses a context that only looks like a cached one, before any keyring call', async () => {
    const inner = testKeyring('inner');
    const keyring = new CachingKeyring({ keyring: inner, maxAge: 60_000 });
    await encrypt(randomBytes(10), { keyring, encryptionContext: { tenant: 'a' } });
    await encrypt(randomBytes(10), { keyring, encryptionContext: { tenant: 'a' } });
    // JSON-equal to { tenant: 'a' } (the cache key), but not a string.
    const lookalike = { tenant: { toJSON: () => 'a' } } as unknown as Record<string, string>;
    await expect(encrypt(randomBytes(10), { keyring, encryptionContext: lookalike })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    await expect(
      encrypt(randomBytes(10), {
        keyring,
        encryptionContext: { tenant: 'a' },
        requiredContextKeys: ['absent'],
      }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(keyring.stats().hits).toBe(1);
    expect(inner.calls.wrap).toBe(1);
  });
});
