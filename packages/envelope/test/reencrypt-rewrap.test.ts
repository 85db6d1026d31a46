import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import {
  type EncryptedDataKey,
  MultiKeyring,
  type Recipient,
  Suites,
  decrypt,
  encrypt,
  inspect,
  parseHeader,
  rewrap,
  rewrapParts,
  rewrapStream,
} from '@polykms/envelope';
import { isTestKeyringEdk } from './support/keyrings.js';
import { type TestKeyring, bytes, testKeyring } from './stream-test-keyring.js';

async function collect(stream: NodeJS.ReadWriteStream, chunks: readonly Uint8Array[]): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), stream, async (source) => {
    for await (const chunk of source) out.push(chunk as Buffer);
  });
  return Buffer.concat(out);
}

function chunked(message: Uint8Array, size: number): Uint8Array[] {
  return Array.from({ length: Math.ceil(message.length / size) }, (_, i) =>
    message.subarray(i * size, (i + 1) * size),
  );
}

/** A recipient as a caller names it: recognised in a header by the test keyring's EDK name. */
function recipient(name: string): Recipient {
  return { name, matches: (edk: EncryptedDataKey) => isTestKeyringEdk(name, edk) };
}

function keyringFor(...keyrings: TestKeyring[]) {
  return (edk: EncryptedDataKey) =>
    keyrings.find((k) => k.description === `test ${Buffer.from(edk.providerInfo)}`);
}

const names = (message: Uint8Array) => inspect(message).encryptedDataKeys.map((e) => e.providerInfo);

describe('rewrap re-encrypts by default', () => {
  const aws = testKeyring('re-aws');
  const gcp = testKeyring('re-gcp');
  const azure = testKeyring('re-azure');

  it('round-trips with a new message id, a new body, and the old recipient locked out', async () => {
    const plaintext = bytes(5000);
    const { message } = await encrypt(plaintext, { keyring: aws, frameLength: 1024 });
    const { message: moved, header } = await rewrap(message, {
      decryptKeyring: aws,
      keyring: gcp,
      mode: 'replace',
    });
    expect(Buffer.from(header.messageId).equals(Buffer.from(parseHeader(message).messageId))).toBe(false);
    expect(
      Buffer.from(moved.subarray(header.length)).equals(
        Buffer.from(message.subarray(parseHeader(message).length)),
      ),
    ).toBe(false);
    expect(names(moved)).toEqual(['re-gcp']);
    expect(Buffer.from((await decrypt(moved, { keyring: gcp })).plaintext).equals(plaintext)).toBe(true);
    await expect(decrypt(moved, { keyring: aws })).rejects.toMatchObject({ code: 'ERR_NO_DECRYPTABLE_KEY' });
  });

  it('keeps the stored context, the required pairs (still unstored), the suite and the frame length', async () => {
    const plaintext = bytes(2000);
    const { message } = await encrypt(plaintext, {
      keyring: aws,
      frameLength: 300,
      encryptionContext: { stored: '1', secret: '2' },
      requiredContextKeys: ['secret'],
    });
    const { message: moved } = await rewrap(message, {
      decryptKeyring: aws,
      keyring: gcp,
      mode: 'replace',
      encryptionContext: { secret: '2' },
    });
    const after = parseHeader(moved);
    expect(after).toMatchObject({ frameLength: 300, encryptionContext: { stored: '1' } });
    expect(after.suite.id).toBe(parseHeader(message).suite.id);
    await expect(decrypt(moved, { keyring: gcp })).rejects.toMatchObject({ code: 'ERR_DECRYPTION_FAILED' });
    const opened = await decrypt(moved, { keyring: gcp, encryptionContext: { secret: '2' } });
    expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
  });

  it('changes suite, frame length and context when asked through target', async () => {
    const plaintext = bytes(1000);
    const { message } = await encrypt(plaintext, { keyring: aws, encryptionContext: { a: '1' } });
    const { message: moved } = await rewrap(message, {
      decryptKeyring: aws,
      keyring: gcp,
      mode: 'replace',
      target: {
        suite: Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
        frameLength: 128,
        encryptionContext: { b: '2' },
      },
    });
    const after = parseHeader(moved);
    expect(after.suite.id).toBe(0x0578);
    expect(after.frameLength).toBe(128);
    expect(after.encryptionContext).toMatchObject({ b: '2' });
    expect(after.encryptionContext).not.toHaveProperty('a');
    expect(Buffer.from((await decrypt(moved, { keyring: gcp })).plaintext).equals(plaintext)).toBe(true);
  });

  it('re-encrypts a signed message (which a header-only rewrap cannot), with a new signature', async () => {
    const plaintext = bytes(700);
    const { message } = await encrypt(plaintext, {
      keyring: aws,
      suite: Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
    });
    const { message: moved } = await rewrap(message, { decryptKeyring: aws, keyring: gcp, mode: 'replace' });
    expect(parseHeader(moved).suite.id).toBe(0x0578);
    expect(Buffer.from((await decrypt(moved, { keyring: gcp })).plaintext).equals(plaintext)).toBe(true);
  });

  it('add: wraps the new data key for each kept recipient through keptRecipientKeyring', async () => {
    const plaintext = bytes(100);
    const { message } = await encrypt(plaintext, { keyring: aws });
    const { message: both } = await rewrap(message, {
      decryptKeyring: aws,
      keyring: gcp,
      mode: 'add',
      keptRecipientKeyring: keyringFor(aws),
    });
    expect(names(both)).toEqual(['re-aws', 're-gcp']);
    for (const keyring of [aws, gcp]) {
      expect(Buffer.from((await decrypt(both, { keyring })).plaintext).equals(plaintext)).toBe(true);
    }
  });

  it('add: refuses with UnwrappableRecipientsError, naming the recipient, when a kept one has no keyring', async () => {
    const { message } = await encrypt(bytes(10), { keyring: aws });
    const wraps = gcp.calls.wrap;
    const error = await rewrap(message, { decryptKeyring: aws, keyring: gcp, mode: 'add' }).catch((e) => e);
    expect(error).toMatchObject({ name: 'UnwrappableRecipientsError', code: 'ERR_INVALID_ARGUMENT' });
    expect(error.recipients).toEqual(['test re-aws']);
    expect(gcp.calls.wrap).toBe(wraps);
  });

  it('add with remove: drops the named recipient and needs no keyring for it', async () => {
    const { message } = await encrypt(bytes(10), {
      keyring: new MultiKeyring({ generator: aws, children: [gcp] }),
    });
    const { message: moved } = await rewrap(message, {
      decryptKeyring: aws,
      keyring: azure,
      mode: 'add',
      remove: [recipient('re-aws')],
      keptRecipientKeyring: keyringFor(gcp),
    });
    expect(names(moved)).toEqual(['re-gcp', 're-azure']);
  });

  it('refuses to remove a key that is not a recipient, and to leave no recipient at all', async () => {
    const { message } = await encrypt(bytes(10), { keyring: aws });
    await expect(
      rewrap(message, { decryptKeyring: aws, keyring: gcp, mode: 'add', remove: [recipient('nobody')] }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', message: /nobody is not a recipient/ });
    await expect(
      rewrap(message, { decryptKeyring: aws, mode: 'add', remove: [recipient('re-aws')] }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', message: /no recipient/ });
  });

  it('refuses an added key whose label an existing recipient has (it might be another key)', async () => {
    const { message } = await encrypt(bytes(10), { keyring: aws });
    const sameLabel: Recipient = { ...recipient('re-aws'), label: 'test/re-aws' };
    await expect(
      rewrap(message, {
        decryptKeyring: aws,
        keyring: gcp,
        mode: 'add',
        added: [sameLabel],
        keptRecipientKeyring: keyringFor(aws),
      }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', message: /labelled test\/re-aws/ });
  });

  it('rewrapParts returns the new header and the new body', async () => {
    const plaintext = bytes(3000);
    const { message } = await encrypt(plaintext, { keyring: aws, frameLength: 1000 });
    const parts = await rewrapParts(message, { decryptKeyring: aws, keyring: gcp, mode: 'replace' });
    expect(parts.headerBytes.length).toBe(parts.header.length);
    const joined = Buffer.concat([parts.headerBytes, parts.body]);
    expect(Buffer.from((await decrypt(joined, { keyring: gcp })).plaintext).equals(plaintext)).toBe(true);
  });
});

describe('rewrapStream re-encrypts by default', () => {
  const aws = testKeyring('rs-aws');
  const gcp = testKeyring('rs-gcp');
  const options = { decryptKeyring: aws, keyring: gcp, mode: 'replace' } as const;

  it('re-encrypts a message arriving in chunks of any size', async () => {
    const plaintext = bytes(10_000);
    const { message } = await encrypt(plaintext, { keyring: aws, frameLength: 512 });
    for (const size of [1, 7, 513, message.length]) {
      const stream = rewrapStream(options);
      const out = await collect(stream, chunked(message, size));
      expect(stream.header?.frameLength).toBe(512);
      expect(Buffer.from((await decrypt(out, { keyring: gcp })).plaintext).equals(plaintext)).toBe(true);
    }
  });

  it('a tampered frame ends the stream in ERR_DECRYPTION_FAILED and what came out never decrypts', async () => {
    const frameLength = 256;
    const { message } = await encrypt(bytes(4000), { keyring: aws, frameLength });
    const tampered = Buffer.from(message);
    tampered[parseHeader(message).length + 3 * (4 + 12 + frameLength + 16) + 40]! ^= 1;
    const out: Buffer[] = [];
    const error = await pipeline(
      Readable.from(chunked(tampered, 100)),
      rewrapStream(options),
      async (source) => {
        for await (const chunk of source) out.push(chunk as Buffer);
      },
    ).catch((e) => e);
    expect(error).toMatchObject({ code: 'ERR_DECRYPTION_FAILED' });
    await expect(decrypt(Buffer.concat(out), { keyring: gcp })).rejects.toMatchObject({
      code: 'ERR_MALFORMED_MESSAGE',
    });
  });

  it('a truncated message ends the stream in an error, never cleanly', async () => {
    const { message } = await encrypt(bytes(4000), { keyring: aws, frameLength: 256 });
    await expect(
      collect(rewrapStream(options), [message.subarray(0, message.length - 30)]),
    ).rejects.toMatchObject({
      code: 'ERR_MALFORMED_MESSAGE',
    });
  });

  it('an aborted signal ends the stream with ERR_CANCELLED before any keyring call', async () => {
    const { message } = await encrypt(bytes(100), { keyring: aws });
    const [unwraps, wraps] = [aws.calls.unwrap, gcp.calls.wrap];
    const controller = new AbortController();
    controller.abort();
    await expect(
      collect(rewrapStream({ ...options, signal: controller.signal }), [message]),
    ).rejects.toMatchObject({ code: 'ERR_CANCELLED' });
    expect([aws.calls.unwrap, gcp.calls.wrap]).toEqual([unwraps, wraps]);
  });

  it('refuses a tampered header before any new recipient wraps', async () => {
    const { message } = await encrypt(bytes(100), { keyring: aws, encryptionContext: { tenant: 'a' } });
    const tampered = Buffer.from(message);
    tampered[tampered.indexOf(Buffer.from('tenant')) + 'tenant'.length + 2] = 'b'.charCodeAt(0);
    const wraps = gcp.calls.wrap;
    await expect(collect(rewrapStream(options), [tampered])).rejects.toMatchObject({
      code: 'ERR_DECRYPTION_FAILED',
    });
    expect(gcp.calls.wrap).toBe(wraps);
  });
});
