import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import {
  CachingKeyring,
  ErrorCodes,
  type NoDecryptableKeyError,
  type PolykmsError,
  Suites,
  decrypt,
  decryptIterable,
  encrypt,
  inspect,
  rewrap,
  rewrapStream,
} from '@polykms/envelope';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CloudBed, startCloudBed } from './support/clouds.js';

// Issue 3's migration, AWS KMS → Google Cloud KMS, with the real cloud keyrings through their
// official clients on the emulator. By default rewrap re-encrypts (issue 12): one KMS call on each
// side, a new message id, data key and body, the context and frame length kept. The expert
// header-only rewrite, which keeps the body and never decrypts it, is pinned at the end.

const FRAME_LENGTH = 64 * 1024;
/** Sequence number (4) + IV (12) + ciphertext + tag (16): a regular frame of the v2 body. */
const FRAME_SIZE = 4 + 12 + FRAME_LENGTH + 16;
const encryptionContext = { dataset: 'orders', tenant: 'acme' };

let bed: CloudBed;
let awsKey: string;
let gcpKey: string;
let plaintext: Buffer;
/** 64 MiB, written for AWS only. */
let original: Uint8Array;

async function failure<E extends PolykmsError = PolykmsError>(promise: Promise<unknown>): Promise<E> {
  return promise.then(
    () => expect.unreachable('expected a failure'),
    (error: unknown) => error as E,
  );
}
/** The bytes after the header (a view, not a copy: these messages are 64 MiB). */
const body = (message: Uint8Array) => {
  const start = message.byteOffset + inspect(message).headerLength;
  return Buffer.from(message.buffer, start, message.byteOffset + message.length - start);
};
const providers = (message: Uint8Array) => inspect(message).encryptedDataKeys.map((e) => e.providerId);
const counts = () => ({
  aws: bed.control.calls({ cloud: 'aws' }).records.map((r) => [r.operation, r.count]),
  gcp: bed.control.calls({ cloud: 'gcp' }).records.map((r) => [r.operation, r.count]),
  azure: bed.control.calls({ cloud: 'azure' }).total,
});

beforeAll(async () => {
  bed = await startCloudBed();
  [awsKey, gcpKey] = await Promise.all([bed.createAwsKey(), bed.createGcpKey()]);
  plaintext = Buffer.alloc(64 * 1024 * 1024, 0x5a);
  randomBytes(4096).copy(plaintext, 1_000_000);
  ({ message: original } = await encrypt(plaintext, {
    keyring: bed.aws(awsKey),
    encryptionContext,
    frameLength: FRAME_LENGTH,
  }));
});
afterAll(() => bed?.stop());
beforeEach(() => bed.control.reset());

describe('migrating a 64 MiB message from AWS KMS to Google Cloud KMS (replace, re-encrypting)', () => {
  let migrated: Uint8Array;
  /** What the emulator counted during that one rewrap (the counters are reset before each test). */
  let rewrapCalls: ReturnType<typeof counts>;

  beforeAll(async () => {
    bed.control.reset();
    ({ message: migrated } = await rewrap(original, {
      decryptKeyring: bed.aws(awsKey),
      keyring: bed.gcp(gcpKey),
      mode: 'replace',
    }));
    rewrapCalls = counts();
  });

  it('costs one AWS Decrypt and one GCP Encrypt, whatever the size (no per-frame KMS work)', () => {
    expect(rewrapCalls).toEqual({ aws: [['Decrypt', 1]], gcp: [['Encrypt', 1]], azure: 0 });
  });

  it('writes a new message id and a new body, keeping the context and frame length', () => {
    expect(body(migrated).equals(body(original))).toBe(false);
    const [before, after] = [inspect(original), inspect(migrated)];
    expect(after.messageId).not.toBe(before.messageId);
    expect(after.suiteId).toBe(before.suiteId);
    expect(after.encryptionContext).toEqual(encryptionContext);
    expect(after.frameLength).toBe(FRAME_LENGTH);
    expect(providers(migrated)).toEqual(['gcp-kms']);
    expect(after.encryptedDataKeys[0]?.providerInfo.startsWith(`${gcpKey}/cryptoKeyVersions/`)).toBe(true);
  });

  it('decrypts with Google Cloud alone', async () => {
    const result = await decrypt(migrated, { keyring: bed.gcp(gcpKey), encryptionContext });
    expect(Buffer.from(result.plaintext).equals(plaintext)).toBe(true);
    expect(counts()).toEqual({ aws: [], gcp: [['Decrypt', 1]], azure: 0 });
  });

  it('no longer decrypts with AWS alone, and AWS is not even asked', async () => {
    const error = await failure<NoDecryptableKeyError>(decrypt(migrated, { keyring: bed.aws(awsKey) }));
    expect(error.code).toBe(ErrorCodes.NoDecryptableKey);
    expect(error.failures).toEqual([]);
    expect(counts().aws).toEqual([]);
  });

  it('re-encrypts the same message as a stream, for the same KMS calls', async () => {
    const chunks = Array.from({ length: Math.ceil(original.length / 1_000_000) }, (_, i) =>
      original.subarray(i * 1_000_000, (i + 1) * 1_000_000),
    );
    const streamed = await buffer(
      Readable.from(chunks).pipe(
        rewrapStream({ decryptKeyring: bed.aws(awsKey), keyring: bed.gcp(gcpKey), mode: 'replace' }),
      ),
    );
    expect(providers(streamed)).toEqual(['gcp-kms']);
    expect(inspect(streamed).messageId).not.toBe(inspect(migrated).messageId);
    expect(counts()).toEqual({ aws: [['Decrypt', 1]], gcp: [['Encrypt', 1]], azure: 0 });
    const result = await decrypt(streamed, { keyring: bed.gcp(gcpKey), encryptionContext });
    expect(Buffer.from(result.plaintext).equals(plaintext)).toBe(true);
  });
});

describe('re-encryption authenticates every frame before using it', () => {
  it('refuses a message with a corrupted frame: the rewrap fails and nothing is returned', async () => {
    const headerLength = inspect(original).headerLength;
    const corrupted = Buffer.from(original);
    corrupted[headerLength + 300 * FRAME_SIZE + 4 + 12 + 1000]! ^= 0x01;
    const error = await failure(
      rewrap(corrupted, { decryptKeyring: bed.aws(awsKey), keyring: bed.gcp(gcpKey), mode: 'replace' }),
    );
    expect(error.code).toBe(ErrorCodes.DecryptionFailed);
  });
});

describe('adding Google Cloud beside AWS, and signed messages', () => {
  const small = randomBytes(200_000);

  it("'add' re-wraps the new data key for AWS (named in its EDK) and adds GCP: either cloud alone decrypts", async () => {
    const { message } = await encrypt(small, { keyring: bed.aws(awsKey), encryptionContext });
    bed.control.resetCounters();
    const added = await rewrap(message, {
      decryptKeyring: bed.aws(awsKey),
      keyring: bed.gcp(gcpKey),
      mode: 'add',
      keptRecipientKeyring: () => bed.aws(awsKey),
    });
    expect(counts()).toEqual({
      aws: [
        ['Decrypt', 1],
        ['GenerateDataKey', 1],
      ],
      gcp: [['Encrypt', 1]],
      azure: 0,
    });
    expect(providers(added.message)).toEqual(['aws-kms', 'gcp-kms']);
    for (const keyring of [bed.aws(awsKey), bed.gcp(gcpKey)]) {
      const result = await decrypt(added.message, { keyring, encryptionContext });
      expect(Buffer.from(result.plaintext).equals(small)).toBe(true);
    }
  });

  it('re-encrypts a signed (0x0578) message, which a header-only rewrap refuses before any KMS call', async () => {
    const { message } = await encrypt(small, {
      keyring: bed.aws(awsKey),
      encryptionContext,
      suite: Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
    });
    expect(inspect(message).suiteId).toBe(0x0578);
    bed.control.resetCounters();
    const options = { decryptKeyring: bed.aws(awsKey), keyring: bed.gcp(gcpKey), mode: 'replace' } as const;
    const error = await failure(rewrap(message, { ...options, method: 'header-only', retireOriginal: true }));
    expect(error.code).toBe(ErrorCodes.Unsupported);
    expect(counts()).toEqual({ aws: [], gcp: [], azure: 0 });

    const again = await rewrap(message, options);
    expect(inspect(again.message).suiteId).toBe(0x0578);
    const opened = await decrypt(again.message, { keyring: bed.gcp(gcpKey), encryptionContext });
    expect(Buffer.from(opened.plaintext).equals(small)).toBe(true);
  });
});

describe("method: 'header-only' (expert) never decrypts the body", () => {
  it('keeps the body and message id; a corrupted frame is carried over and fails on decrypt at that frame', async () => {
    const headerLength = inspect(original).headerLength;
    const badFrame = 300; // 0-based: frames 0..299 are intact
    const corrupted = Buffer.from(original);
    corrupted[headerLength + badFrame * FRAME_SIZE + 4 + 12 + 1000]! ^= 0x01;

    const { message } = await rewrap(corrupted, {
      decryptKeyring: bed.aws(awsKey),
      keyring: bed.gcp(gcpKey),
      mode: 'replace',
      method: 'header-only',
      retireOriginal: true,
    });
    expect(body(message).equals(body(corrupted))).toBe(true);
    expect(inspect(message).messageId).toBe(inspect(corrupted).messageId);

    // Feed the new header, then one frame per chunk: each intact frame is released as it arrives.
    const newHeaderLength = inspect(message).headerLength;
    const frames = Array.from(
      { length: Math.ceil((message.length - newHeaderLength) / FRAME_SIZE) },
      (_, i) => message.subarray(newHeaderLength + i * FRAME_SIZE, newHeaderLength + (i + 1) * FRAME_SIZE),
    );
    let released = 0;
    const error = await failure(
      (async () => {
        const source = [message.subarray(0, newHeaderLength), ...frames];
        for await (const chunk of decryptIterable(source, { keyring: bed.gcp(gcpKey) })) {
          expect(chunk.equals(plaintext.subarray(released, released + chunk.length))).toBe(true);
          released += chunk.length;
        }
      })(),
    );
    expect(error.code).toBe(ErrorCodes.DecryptionFailed);
    expect(released).toBe(badFrame * FRAME_LENGTH);
  });
});

describe('a batch of small records with a data-key cache', () => {
  const records = Array.from({ length: 1000 }, (_, i) => Buffer.from(`record ${i}: ${'x'.repeat(100)}`));
  /** Encrypts the records 100 at a time (enough to overlap KMS round trips, not to flood them). */
  async function encryptAll(keyring: Parameters<typeof encrypt>[1]['keyring']): Promise<Uint8Array[]> {
    const messages: Uint8Array[] = [];
    for (let i = 0; i < records.length; i += 100) {
      const batch = records
        .slice(i, i + 100)
        .map((record) => encrypt(record, { keyring, encryptionContext }));
      for (const { message } of await Promise.all(batch)) messages.push(message);
    }
    return messages;
  }

  it('costs one GenerateDataKey for 1,000 messages with the cache, and 1,000 without', async () => {
    const cached = new CachingKeyring({ keyring: bed.aws(awsKey), maxAge: 60_000 });
    const messages = await encryptAll(cached);
    expect(bed.control.calls({ cloud: 'aws', operation: 'GenerateDataKey' }).total).toBe(1);
    expect(cached.stats()).toMatchObject({ innerWraps: 1, hits: 999 });

    // The readers' side: one Decrypt opens the shared data key of all 1,000.
    const reader = new CachingKeyring({ keyring: bed.aws(awsKey), maxAge: 60_000 });
    for (const [i, message] of messages.entries()) {
      const { plaintext: record } = await decrypt(message, { keyring: reader, encryptionContext });
      expect(Buffer.from(record).equals(records[i] as Buffer)).toBe(true);
    }
    expect(bed.control.calls({ cloud: 'aws', operation: 'Decrypt' }).total).toBe(1);
    expect(new Set(messages.map((m) => inspect(m).messageId)).size).toBe(1000);

    bed.control.resetCounters();
    await encryptAll(bed.aws(awsKey));
    expect(bed.control.calls({ cloud: 'aws', operation: 'GenerateDataKey' }).total).toBe(1000);
  });
});
