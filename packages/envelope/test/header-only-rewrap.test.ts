import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import {
  MultiKeyring,
  Suites,
  decrypt,
  decryptStream,
  encrypt,
  inspect,
  isPolykmsError,
  parseHeader,
  rewrap,
  rewrapParts,
  rewrapStream,
} from '@polykms/envelope';
import { bytes, testKeyring } from './stream-test-keyring.js';

/** The expert method, and the acknowledgement it requires. */
const HEADER_ONLY = { method: 'header-only', retireOriginal: true } as const;

function body(message: Uint8Array): Buffer {
  return Buffer.from(message.subarray(inspect(message).headerLength));
}

async function collect(stream: NodeJS.ReadWriteStream, chunks: readonly Uint8Array[]): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), stream, async (source) => {
    for await (const chunk of source) out.push(chunk as Buffer);
  });
  return Buffer.concat(out);
}

describe("rewrap with method: 'header-only'", () => {
  const aws = testKeyring('aws');
  const gcp = testKeyring('gcp');

  it('replaces the recipients, keeps the body byte for byte, and locks out the removed recipient', async () => {
    const plaintext = bytes(5000);
    const { message } = await encrypt(plaintext, {
      keyring: aws,
      frameLength: 1024,
      encryptionContext: { app: 'x' },
    });
    const result = await rewrap(message, {
      decryptKeyring: aws,
      keyring: gcp,
      mode: 'replace',
      ...HEADER_ONLY,
    });

    expect(body(result.message).equals(body(message))).toBe(true);
    const before = parseHeader(message);
    const after = parseHeader(result.message);
    expect(Buffer.from(after.messageId).equals(Buffer.from(before.messageId))).toBe(true);
    expect(Buffer.from(after.commitment!).equals(Buffer.from(before.commitment!))).toBe(true);
    expect(Buffer.from(after.headerTag).equals(Buffer.from(before.headerTag))).toBe(false);
    expect(after).toMatchObject({ suite: before.suite, frameLength: 1024, encryptionContext: { app: 'x' } });
    expect(inspect(result.message).encryptedDataKeys.map((e) => e.providerInfo)).toEqual(['gcp']);

    expect(Buffer.from((await decrypt(result.message, { keyring: gcp })).plaintext).equals(plaintext)).toBe(
      true,
    );
    await expect(decrypt(result.message, { keyring: aws })).rejects.toMatchObject({
      code: 'ERR_NO_DECRYPTABLE_KEY',
    });
  });

  it('rewrapParts returns the new header and the body as a view of the input, not a copy', async () => {
    const plaintext = bytes(5000);
    const { message } = await encrypt(plaintext, { keyring: aws, frameLength: 1024 });
    const options = {
      decryptKeyring: aws,
      keyring: gcp,
      mode: 'replace',
      ...HEADER_ONLY,
    } as const;
    const parts = await rewrapParts(message, options);

    const headerLength = inspect(message).headerLength;
    expect(parts.body.buffer).toBe(message.buffer);
    expect(parts.body.byteOffset).toBe(message.byteOffset + headerLength);
    expect(parts.body.length).toBe(message.length - headerLength);
    const joined = Buffer.concat([parts.headerBytes, parts.body]);
    expect(Buffer.from((await decrypt(joined, { keyring: gcp })).plaintext).equals(plaintext)).toBe(true);
    expect(inspect(joined).encryptedDataKeys.map((e) => e.providerInfo)).toEqual(['gcp']);
  });

  it('adds recipients while the existing ones keep working', async () => {
    const plaintext = bytes(300);
    const { message } = await encrypt(plaintext, { keyring: aws });
    const { message: both } = await rewrap(message, {
      decryptKeyring: aws,
      keyring: gcp,
      mode: 'add',
      ...HEADER_ONLY,
    });
    expect(inspect(both).encryptedDataKeys.map((e) => e.providerInfo)).toEqual(['aws', 'gcp']);
    for (const keyring of [aws, gcp]) {
      expect(Buffer.from((await decrypt(both, { keyring })).plaintext).equals(plaintext)).toBe(true);
    }
  });

  it('refuses a signed message with ERR_UNSUPPORTED that points to re-encryption, before any KMS call', async () => {
    const signer = testKeyring('signer');
    const { message } = await encrypt(bytes(10), {
      keyring: signer,
      suite: Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
    });
    const error = await rewrap(message, {
      decryptKeyring: signer,
      keyring: gcp,
      mode: 'replace',
      ...HEADER_ONLY,
    }).catch((e) => e);
    expect(isPolykmsError(error, 'ERR_UNSUPPORTED')).toBe(true);
    expect(error.message).toMatch(/signed message .* cannot be rewrapped header-only.*re-encrypt/);
    expect(signer.calls.unwrap).toBe(0);
  });

  it('authenticates the old header before wrapping: a tampered header fails and nothing is wrapped', async () => {
    const target = testKeyring('target');
    const { message } = await encrypt(bytes(100), { keyring: aws, encryptionContext: { tenant: 'a' } });
    const tampered = Buffer.from(message);
    const at = tampered.indexOf(Buffer.from('tenant')) + 'tenant'.length + 2; // the value "a"
    tampered[at] = 'b'.charCodeAt(0);
    await expect(
      rewrap(tampered, {
        decryptKeyring: aws,
        keyring: target,
        mode: 'replace',
        ...HEADER_ONLY,
      }),
    ).rejects.toMatchObject({
      code: 'ERR_DECRYPTION_FAILED',
    });
    expect(target.calls.wrap).toBe(0);
  });

  it('needs the required context pairs and keeps them required', async () => {
    const plaintext = bytes(50);
    const { message } = await encrypt(plaintext, {
      keyring: aws,
      encryptionContext: { stored: '1', secret: '2' },
      requiredContextKeys: ['secret'],
    });
    await expect(
      rewrap(message, {
        decryptKeyring: aws,
        keyring: gcp,
        mode: 'replace',
        ...HEADER_ONLY,
      }),
    ).rejects.toMatchObject({
      code: 'ERR_DECRYPTION_FAILED',
    });
    const { message: moved } = await rewrap(message, {
      decryptKeyring: aws,
      keyring: gcp,
      mode: 'replace',
      ...HEADER_ONLY,
      encryptionContext: { secret: '2' },
    });
    expect(inspect(moved).encryptionContext).toEqual({ stored: '1' });
    const result = await decrypt(moved, { keyring: gcp, encryptionContext: { secret: '2' } });
    expect(Buffer.from(result.plaintext).equals(plaintext)).toBe(true);
    await expect(decrypt(moved, { keyring: gcp })).rejects.toMatchObject({ code: 'ERR_DECRYPTION_FAILED' });
  });

  it('reports new recipients that were down under a partial policy', async () => {
    const azure = testKeyring('azure');
    azure.down = true;
    const { message } = await encrypt(bytes(10), { keyring: aws });
    const result = await rewrap(message, {
      decryptKeyring: aws,
      keyring: new MultiKeyring({ children: [gcp, azure], minRecipients: 1 }),
      mode: 'replace',
      ...HEADER_ONLY,
    });
    expect(result.missingRecipients.map((f) => f.recipient)).toEqual(['test azure']);
    expect((await decrypt(result.message, { keyring: gcp })).plaintext).toHaveLength(10);
  });

  it('never decrypts the body: a 64 MiB message with a corrupted frame rewraps, then fails at that frame', async () => {
    const frameLength = 64 * 1024;
    const plaintext = Buffer.alloc(64 * 1024 * 1024, 7);
    const { message } = await encrypt(plaintext, { keyring: aws, frameLength });
    const headerLength = inspect(message).headerLength;
    const frameSize = 4 + 12 + frameLength + 16;
    const badFrame = 500;
    const corrupted = Buffer.from(message);
    corrupted[headerLength + badFrame * frameSize + 4 + 12 + 100]! ^= 0x80; // inside frame 501's ciphertext

    const result = await rewrap(corrupted, {
      decryptKeyring: aws,
      keyring: gcp,
      mode: 'replace',
      ...HEADER_ONLY,
    });
    expect(body(result.message).equals(body(corrupted))).toBe(true);
    // Size argument: the output is the new header plus exactly the old body, with no room for re-encryption.
    expect(result.message.length - inspect(result.message).headerLength).toBe(
      corrupted.length - headerLength,
    );

    const released: Buffer[] = [];
    const chunks = Array.from({ length: Math.ceil(result.message.length / frameSize) }, (_, i) =>
      result.message.subarray(i * frameSize, (i + 1) * frameSize),
    );
    const error = await pipeline(Readable.from(chunks), decryptStream({ keyring: gcp }), async (source) => {
      for await (const chunk of source) released.push(chunk as Buffer);
    }).catch((e) => e);
    expect(isPolykmsError(error, 'ERR_DECRYPTION_FAILED')).toBe(true);
    const releasedLength = released.reduce((n, c) => n + c.length, 0);
    expect(releasedLength).toBeLessThanOrEqual(badFrame * frameLength);
    expect(releasedLength).toBeGreaterThanOrEqual((badFrame - 2) * frameLength);
  });
});

describe("rewrapStream with method: 'header-only'", () => {
  const aws = testKeyring('aws');
  const gcp = testKeyring('gcp');

  it('rewraps a message arriving in small chunks and passes the body through unchanged', async () => {
    const plaintext = bytes(10_000);
    const { message } = await encrypt(plaintext, { keyring: aws, frameLength: 512 });
    const chunks = Array.from({ length: Math.ceil(message.length / 7) }, (_, i) =>
      message.subarray(i * 7, i * 7 + 7),
    );
    const stream = rewrapStream({
      decryptKeyring: aws,
      keyring: gcp,
      mode: 'replace',
      ...HEADER_ONLY,
    });
    const out = await collect(stream, chunks);
    expect(body(out).equals(body(message))).toBe(true);
    expect(stream.header?.encryptedDataKeys).toHaveLength(1);
    expect(Buffer.from((await decrypt(out, { keyring: gcp })).plaintext).equals(plaintext)).toBe(true);
  });

  it('fails on a stream that ends inside the header', async () => {
    const { message } = await encrypt(bytes(10), { keyring: aws });
    const stream = rewrapStream({
      decryptKeyring: aws,
      keyring: gcp,
      mode: 'replace',
      ...HEADER_ONLY,
    });
    await expect(collect(stream, [message.subarray(0, 40)])).rejects.toMatchObject({
      code: 'ERR_MALFORMED_MESSAGE',
    });
  });
});

describe('header-only acknowledgement', () => {
  it('refuses a header-only rewrap unless the caller confirms the original will be retired', async () => {
    const aws = testKeyring('aws');
    const gcp = testKeyring('gcp');
    const { message } = await encrypt(Buffer.from('x'), { keyring: aws });
    const options = { decryptKeyring: aws, keyring: gcp, mode: 'replace', method: 'header-only' } as const;
    await expect(rewrap(message, options)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(() => rewrapStream(options)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});

describe('header-only rewrap refuses a body whose frame layout is broken, without decrypting it', () => {
  const aws = testKeyring('layout-aws');
  const gcp = testKeyring('layout-gcp');
  const frameLength = 128;
  const options = {
    decryptKeyring: aws,
    keyring: gcp,
    mode: 'replace',
    ...HEADER_ONLY,
  } as const;

  async function damaged(): Promise<Record<string, Buffer>> {
    const { message } = await encrypt(bytes(1000), { keyring: aws, frameLength });
    const whole = Buffer.from(message);
    const headerLength = parseHeader(whole).length;
    const frame = 4 + 12 + frameLength + 16;
    return {
      'cut inside a frame': whole.subarray(0, whole.length - 100),
      'cut before the final frame': whole.subarray(0, headerLength + 2 * frame),
      'cut inside the final tag': whole.subarray(0, whole.length - 1),
      'followed by more bytes': Buffer.concat([whole, Buffer.from('extra')]),
      'missing its second frame': Buffer.concat([
        whole.subarray(0, headerLength + frame),
        whole.subarray(headerLength + 2 * frame),
      ]),
      'without a body': whole.subarray(0, headerLength),
    };
  }

  it('buffered: ERR_MALFORMED_MESSAGE before any keyring call', async () => {
    for (const [what, message] of Object.entries(await damaged())) {
      const calls = aws.calls.unwrap;
      await expect(rewrapParts(message, options), what).rejects.toMatchObject({
        code: 'ERR_MALFORMED_MESSAGE',
      });
      expect(aws.calls.unwrap, what).toBe(calls);
    }
  });

  it('streamed, in chunks of any size: the stream ends in ERR_MALFORMED_MESSAGE', async () => {
    for (const [what, message] of Object.entries(await damaged())) {
      for (const size of [1, 37, message.length]) {
        const chunks = Array.from({ length: Math.ceil(message.length / size) }, (_, i) =>
          message.subarray(i * size, (i + 1) * size),
        );
        await expect(
          collect(rewrapStream(options), chunks),
          `${what}, chunks of ${size}`,
        ).rejects.toMatchObject({
          code: 'ERR_MALFORMED_MESSAGE',
        });
      }
    }
  });

  it('accepts every intact layout: empty, partial and exactly full final frames', async () => {
    for (const size of [0, 1, frameLength - 1, frameLength, 3 * frameLength]) {
      const { message } = await encrypt(bytes(size), { keyring: aws, frameLength });
      const parts = await rewrapParts(message, options);
      expect(Buffer.from(parts.body).equals(body(message))).toBe(true);
      const streamed = await collect(rewrapStream(options), [message.subarray(0, 50), message.subarray(50)]);
      expect(body(streamed).equals(body(message))).toBe(true);
    }
  });
});
