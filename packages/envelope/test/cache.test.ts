import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it, vi } from 'vitest';
import {
  type AlgorithmSuite,
  CachingKeyring,
  DataKeyCache,
  DecryptionFailedError,
  type Keyring,
  MultiKeyring,
  Suites,
  decrypt,
  encrypt,
  encryptStream,
  inspect,
  serializeEncryptionContext,
  unwrapDataKey,
  wrapDataKey,
} from '@polykms/envelope';
import { bytes, testKeyring } from './stream-test-keyring.js';

type Entry = Parameters<DataKeyCache['put']>[1];

/** A cache that remembers every entry it was given, to check that evicted keys are zeroed. */
class RecordingCache extends DataKeyCache {
  readonly stored: Entry[] = [];
  override put(key: string, entry: Entry): void {
    this.stored.push(entry);
    super.put(key, entry);
  }
}

function manualClock() {
  const clock = { now: 1_000_000, tick: (ms: number) => (clock.now += ms) };
  return clock;
}

async function drain(
  stream: NodeJS.ReadableStream & NodeJS.WritableStream,
  data: Uint8Array,
): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(Readable.from([data]), stream, async (source) => {
    for await (const chunk of source) out.push(chunk as Buffer);
  });
  return Buffer.concat(out);
}

describe('CachingKeyring: encryption', () => {
  it('makes one inner wrap for 100 concurrent encrypts, each message still decrypting with its own id', async () => {
    const inner = testKeyring('kms');
    const keyring = new CachingKeyring({ keyring: inner, maxAge: 60_000 });
    const plaintexts = Array.from({ length: 100 }, (_, i) => bytes(100, i + 1));
    const results = await Promise.all(
      plaintexts.map((p) => encrypt(p, { keyring, encryptionContext: { t: 'x' } })),
    );
    expect(inner.calls.wrap).toBe(1);
    expect(keyring.stats()).toMatchObject({ innerWraps: 1, misses: 1, hits: 99 });
    expect(new Set(results.map((r) => inspect(r.message).messageId)).size).toBe(100);
    // The caller zeroes the key it gets; decrypting every message proves the cache handed out copies.
    for (const [i, { message }] of results.entries()) {
      expect(Buffer.from((await decrypt(message, { keyring: inner })).plaintext).equals(plaintexts[i]!)).toBe(
        true,
      );
    }
  });

  it('uses a data key for at most maxMessages messages', async () => {
    const inner = testKeyring('kms');
    const keyring = new CachingKeyring({ keyring: inner, maxAge: 60_000, maxMessages: 3 });
    for (let i = 0; i < 10; i++) await encrypt(bytes(10), { keyring });
    expect(inner.calls.wrap).toBe(4);
  });

  it('uses a data key for at most maxBytes of plaintext, and never caches a message larger than that', async () => {
    const inner = testKeyring('kms');
    const keyring = new CachingKeyring({ keyring: inner, maxAge: 60_000, maxBytes: 250 });
    for (let i = 0; i < 4; i++) await encrypt(bytes(100), { keyring });
    expect(inner.calls.wrap).toBe(2);
    await encrypt(bytes(251), { keyring });
    await encrypt(bytes(251), { keyring });
    expect(inner.calls.wrap).toBe(4);
  });

  it('expires entries after maxAge and zeroes the evicted plaintext key', async () => {
    const clock = manualClock();
    const cache = new RecordingCache({ clock: () => clock.now });
    const inner = testKeyring('kms');
    const keyring = new CachingKeyring({ keyring: inner, cache, maxAge: 1000 });
    await encrypt(bytes(10), { keyring });
    await encrypt(bytes(10), { keyring });
    expect(inner.calls.wrap).toBe(1);
    const first = cache.stored[0]!;
    expect(first.dataKey.some((b) => b !== 0)).toBe(true);
    clock.tick(1000);
    await encrypt(bytes(10), { keyring });
    expect(inner.calls.wrap).toBe(2);
    expect(first.dataKey.every((b) => b === 0)).toBe(true);
    expect(keyring.stats().evictions).toBe(1);
    cache.clear();
    expect(cache.stored[1]!.dataKey.every((b) => b === 0)).toBe(true);
  });

  it('zeroes the least recently used entry when over capacity', async () => {
    const cache = new RecordingCache({ capacity: 2 });
    const keyring = new CachingKeyring({ keyring: testKeyring('kms'), cache, maxAge: 60_000 });
    for (const tenant of ['a', 'b', 'c'])
      await encrypt(bytes(10), { keyring, encryptionContext: { tenant } });
    expect(cache.size).toBe(2);
    expect(cache.stored[0]!.dataKey.every((b) => b === 0)).toBe(true);
    expect(cache.stored[2]!.dataKey.some((b) => b !== 0)).toBe(true);
  });

  it('keeps entries apart by encryption context, suite and partition', async () => {
    const inner = testKeyring('kms');
    const cache = new DataKeyCache();
    const keyring = new CachingKeyring({ keyring: inner, cache, maxAge: 60_000 });
    await encrypt(bytes(10), { keyring, encryptionContext: { tenant: 'a' } });
    await encrypt(bytes(10), { keyring, encryptionContext: { tenant: 'b' } });
    await encrypt(bytes(10), { keyring, encryptionContext: { tenant: 'a', extra: '1' } });
    expect(inner.calls.wrap).toBe(3);
    const stranger = new CachingKeyring({ keyring: inner, cache, maxAge: 60_000 });
    await encrypt(bytes(10), { keyring: stranger, encryptionContext: { tenant: 'a' } });
    expect(inner.calls.wrap).toBe(4);
    const left = new CachingKeyring({ keyring: inner, cache, maxAge: 60_000, partition: 'shared' });
    const right = new CachingKeyring({ keyring: inner, cache, maxAge: 60_000, partition: 'shared' });
    await encrypt(bytes(10), { keyring: left });
    await encrypt(bytes(10), { keyring: right });
    expect(inner.calls.wrap).toBe(5);
  });

  it('does not cache signed suites, streams of unknown length, or wraps that left recipients out', async () => {
    // The same request twice, context included: through encrypt, a signed message's fresh
    // public key in the context would keep the entries apart even if signed suites were cached.
    const request = (suite: AlgorithmSuite) => ({
      suite,
      encryptionContext: { t: 'x' },
      plaintextLength: 10,
    });
    const unsignedInner = testKeyring('kms');
    const unsigned = new CachingKeyring({ keyring: unsignedInner, maxAge: 60_000 });
    await wrapDataKey(unsigned, request(Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY));
    await wrapDataKey(unsigned, request(Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY));
    expect(unsignedInner.calls.wrap).toBe(1);
    const inner = testKeyring('kms');
    const keyring = new CachingKeyring({ keyring: inner, maxAge: 60_000 });
    await wrapDataKey(keyring, request(Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384));
    await wrapDataKey(keyring, request(Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384));
    expect(inner.calls.wrap).toBe(2);

    await drain(encryptStream({ keyring }), bytes(10));
    await drain(encryptStream({ keyring }), bytes(10));
    expect(inner.calls.wrap).toBe(4);
    await drain(encryptStream({ keyring, plaintextLength: 10 }), bytes(10));
    await drain(encryptStream({ keyring, plaintextLength: 10 }), bytes(10));
    expect(inner.calls.wrap).toBe(5);

    const child = testKeyring('down');
    child.down = true;
    const partial = new CachingKeyring({
      keyring: new MultiKeyring({ generator: testKeyring('up'), children: [child], minRecipients: 1 }),
      maxAge: 60_000,
    });
    const first = await encrypt(bytes(10), { keyring: partial });
    await encrypt(bytes(10), { keyring: partial });
    expect(first.missingRecipients).toHaveLength(1);
    expect(partial.stats().innerWraps).toBe(2);
  });

  it('shares a failure of the inner wrap with every concurrent waiter and caches nothing', async () => {
    const inner = testKeyring('kms', { delayMs: 5 });
    inner.down = true;
    const keyring = new CachingKeyring({ keyring: inner, maxAge: 60_000 });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => encrypt(bytes(10), { keyring })),
    );
    expect(
      results.every(
        (r) => r.status === 'rejected' && (r.reason as { code: string }).code === 'ERR_UNAVAILABLE',
      ),
    ).toBe(true);
    expect(inner.calls.wrap).toBe(1);
    expect(keyring.cache.size).toBe(0);
  });

  it('requires maxAge and sane limits', () => {
    const keyring = testKeyring('kms');
    expect(() => new CachingKeyring({ keyring } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    expect(() => new CachingKeyring({ keyring, maxAge: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    expect(() => new CachingKeyring({ keyring, maxAge: 10, maxMessages: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });
});

describe('CachingKeyring: decryption', () => {
  it('unwraps a data key once for repeated and concurrent decrypts, until the TTL passes', async () => {
    const clock = manualClock();
    const inner = testKeyring('kms');
    const keyring = new CachingKeyring({
      keyring: inner,
      cache: new DataKeyCache({ clock: () => clock.now }),
      maxAge: 1000,
    });
    const plaintext = bytes(300);
    const { message } = await encrypt(plaintext, { keyring: inner, encryptionContext: { a: 'b' } });
    const results = await Promise.all(Array.from({ length: 10 }, () => decrypt(message, { keyring })));
    for (const r of results) expect(Buffer.from(r.plaintext).equals(plaintext)).toBe(true);
    expect(inner.calls.unwrap).toBe(1);
    clock.tick(1000);
    await decrypt(message, { keyring });
    expect(keyring.stats()).toMatchObject({ innerUnwraps: 2, hits: 9 });
  });

  it('turns 1,000 messages into one wrap and one unwrap with a cache on both sides', async () => {
    const inner = testKeyring('kms');
    const keyring = new CachingKeyring({ keyring: inner, maxAge: 60_000 });
    for (let i = 0; i < 1_000; i++) {
      const { message } = await encrypt(bytes(16, i + 1), { keyring, encryptionContext: { batch: '1' } });
      if (i % 100 === 0) await decrypt(message, { keyring });
    }
    expect(inner.calls).toEqual({ wrap: 1, unwrap: 1 });
  });
});

describe('CachingKeyring: what may share entries', () => {
  /** Two keyrings that describe themselves alike but hold different wrapping keys. */
  function lookAlikes() {
    const a = testKeyring('kms');
    const b = testKeyring('kms');
    expect(a.description).toBe(b.description);
    const cache = new DataKeyCache();
    const cachedA = new CachingKeyring({ keyring: a, cache, maxAge: 60_000, partition: 'shared' });
    const cachedB = new CachingKeyring({ keyring: b, cache, maxAge: 60_000, partition: 'shared' });
    return { a, b, cachedA, cachedB };
  }

  it('never lets a look-alike keyring in the same partition decrypt with a key it could not unwrap', async () => {
    const { a, b, cachedA, cachedB } = lookAlikes();
    const { message } = await encrypt(bytes(10), { keyring: a });
    await decrypt(message, { keyring: cachedA });
    // The test keyring reports a wrong wrapping key as ERR_DECRYPTION_FAILED, as plain B does.
    await expect(decrypt(message, { keyring: b })).rejects.toMatchObject({ code: 'ERR_DECRYPTION_FAILED' });
    await expect(decrypt(message, { keyring: cachedB })).rejects.toMatchObject({
      code: 'ERR_DECRYPTION_FAILED',
    });
    expect(b.calls.unwrap).toBe(2);
    expect(cachedB.stats().hits).toBe(0);
  });

  it('never hands a look-alike keyring in the same partition EDKs wrapped under another key', async () => {
    const { b, cachedA, cachedB } = lookAlikes();
    await encrypt(bytes(10), { keyring: cachedA });
    const plaintext = bytes(10, 7);
    const { message } = await encrypt(plaintext, { keyring: cachedB });
    expect(b.calls.wrap).toBe(1);
    expect(Buffer.from((await decrypt(message, { keyring: b })).plaintext).equals(plaintext)).toBe(true);
  });

  it('shares entries between caching keyrings in front of the same keyring object in one partition', async () => {
    const inner = testKeyring('kms');
    const cache = new DataKeyCache();
    const left = new CachingKeyring({ keyring: inner, cache, maxAge: 60_000, partition: 'shared' });
    const right = new CachingKeyring({ keyring: inner, cache, maxAge: 60_000, partition: 'shared' });
    const { message } = await encrypt(bytes(10), { keyring: left });
    await encrypt(bytes(10), { keyring: right });
    await decrypt(message, { keyring: left });
    await decrypt(message, { keyring: right });
    expect(inner.calls).toEqual({ wrap: 1, unwrap: 1 });
    expect(right.stats()).toMatchObject({ hits: 2, innerWraps: 0, innerUnwraps: 0 });
  });
});

describe('CachingKeyring: what a decrypted data key is reused for', () => {
  const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;

  /**
   * A counting keyring that binds its EDKs to the encryption context, as KMS keyrings do: the
   * context is the AES-GCM additional data, so an EDK opens only under the context it was made for.
   */
  function contextBoundKeyring() {
    const kek = randomBytes(32);
    const calls = { unwrap: 0 };
    const aad = (context: Readonly<Record<string, string>>) => serializeEncryptionContext(context);
    const keyring: Keyring = {
      description: 'context-bound',
      async wrap(request) {
        const dataKey = request.dataKey ? undefined : randomBytes(request.suite.keyLength);
        const iv = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', kek, iv).setAAD(aad(request.encryptionContext));
        const plain = request.dataKey ?? dataKey!;
        const ciphertext = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
        return {
          dataKey,
          encryptedDataKeys: [{ providerId: 'bound', providerInfo: new Uint8Array(0), ciphertext }],
        };
      },
      async unwrap(request) {
        const mine = request.encryptedDataKeys.find((edk) => edk.providerId === 'bound');
        if (!mine) return null;
        calls.unwrap++;
        const c = Buffer.from(mine.ciphertext);
        const decipher = createDecipheriv('aes-256-gcm', kek, c.subarray(0, 12))
          .setAAD(aad(request.encryptionContext))
          .setAuthTag(c.subarray(c.length - 16));
        try {
          const dataKey = Buffer.concat([decipher.update(c.subarray(12, c.length - 16)), decipher.final()]);
          return { dataKey, encryptedDataKey: mine };
        } catch {
          throw new DecryptionFailedError();
        }
      },
    };
    return { keyring, calls };
  }

  it('unwraps the same EDKs again under another encryption context', async () => {
    const inner = testKeyring('kms');
    const keyring = new CachingKeyring({ keyring: inner, maxAge: 60_000 });
    const { encryptedDataKeys } = await wrapDataKey(inner, { suite, encryptionContext: { tenant: 'a' } });
    const contexts: Record<string, string>[] = [
      { tenant: 'a' },
      { tenant: 'b' },
      { tenant: 'a', extra: '1' },
    ];
    for (const encryptionContext of contexts)
      await unwrapDataKey(keyring, { suite, encryptionContext, encryptedDataKeys });
    expect(inner.calls.unwrap).toBe(3);
    expect(keyring.stats()).toMatchObject({ hits: 0, innerUnwraps: 3 });
  });

  it('does not serve a key cached under one context to a request with another, which the KMS would refuse', async () => {
    const { keyring: inner, calls } = contextBoundKeyring();
    const keyring = new CachingKeyring({ keyring: inner, maxAge: 60_000 });
    const { encryptedDataKeys } = await wrapDataKey(inner, { suite, encryptionContext: { tenant: 'a' } });
    await unwrapDataKey(keyring, { suite, encryptionContext: { tenant: 'a' }, encryptedDataKeys });
    await expect(
      unwrapDataKey(keyring, { suite, encryptionContext: { tenant: 'b' }, encryptedDataKeys }),
    ).rejects.toMatchObject({ code: 'ERR_DECRYPTION_FAILED' });
    expect(calls.unwrap).toBe(2);
  });

  it('unwraps again for another EDK set under the same context, answering as the inner keyring would', async () => {
    // Each entry also checks that the request holds the EDK it was opened from, so two disjoint EDK
    // sets never share; only an overlapping set shows whether the whole set is part of the key.
    const inner = testKeyring('kms');
    const keyring = new CachingKeyring({ keyring: inner, maxAge: 60_000 });
    const encryptionContext = { tenant: 'a' };
    const wrapped = await Promise.all([1, 2].map(() => wrapDataKey(inner, { suite, encryptionContext })));
    const [x, y] = wrapped.map((w) => ({ dataKey: w.dataKey, edk: w.encryptedDataKeys[0]! }));
    const first = await unwrapDataKey(keyring, { suite, encryptionContext, encryptedDataKeys: [x!.edk] });
    expect(Buffer.from(first!.dataKey).equals(Buffer.from(x!.dataKey))).toBe(true);
    // The inner keyring opens the first EDK of its own: y, not the x the cache already holds.
    const second = await unwrapDataKey(keyring, {
      suite,
      encryptionContext,
      encryptedDataKeys: [y!.edk, x!.edk],
    });
    expect(inner.calls.unwrap).toBe(2);
    expect(second!.encryptedDataKey).toBe(y!.edk);
    expect(Buffer.from(second!.dataKey).equals(Buffer.from(y!.dataKey))).toBe(true);
  });

  it('keeps decrypted keys apart by partition on a shared cache', async () => {
    const inner = testKeyring('kms');
    const cache = new DataKeyCache();
    const left = new CachingKeyring({ keyring: inner, cache, maxAge: 60_000, partition: 'left' });
    const right = new CachingKeyring({ keyring: inner, cache, maxAge: 60_000, partition: 'right' });
    const { message } = await encrypt(bytes(10), { keyring: inner });
    await decrypt(message, { keyring: left });
    await decrypt(message, { keyring: right });
    expect(inner.calls.unwrap).toBe(2);
    expect(right.stats()).toMatchObject({ hits: 0, innerUnwraps: 1 });
    // The same partition does share: the second unwrap above was the partition's doing.
    await decrypt(message, { keyring: left });
    expect(inner.calls.unwrap).toBe(2);
  });
});

describe('CachingKeyring: concurrent misses', () => {
  /** Counts lookups that found another request's call in flight: each is a request about to wait for it. */
  class WatchedCache extends DataKeyCache {
    joined = 0;
    override pending(key: string) {
      const calls = super.pending(key);
      if (calls.length > 0) this.joined++;
      return calls;
    }
  }

  /** How many calls had started before the first one ended. */
  const startedBeforeFirstEnd = (log: readonly string[]) =>
    log.slice(
      0,
      log.findIndex((line) => line.startsWith('end')),
    ).length;

  it('calls the inner keyring in parallel under maxMessages 1, where no call can serve another', async () => {
    const log: string[] = [];
    const inner = testKeyring('kms', { delayMs: 5, log });
    const keyring = new CachingKeyring({ keyring: inner, maxAge: 60_000, maxMessages: 1 });
    const results = await Promise.all(Array.from({ length: 5 }, () => encrypt(bytes(10), { keyring })));
    expect(inner.calls.wrap).toBe(5);
    expect(startedBeforeFirstEnd(log)).toBe(5);
    const edks = results.map((r) => Buffer.from(r.header.encryptedDataKeys[0]!.ciphertext).toString('hex'));
    expect(new Set(edks).size).toBe(5);
  });

  it('lets only as many requests wait for a call as its key may serve, and starts the next call at once', async () => {
    const log: string[] = [];
    const inner = testKeyring('kms', { delayMs: 5, log });
    const keyring = new CachingKeyring({ keyring: inner, maxAge: 60_000, maxMessages: 3 });
    const plaintexts = Array.from({ length: 7 }, (_, i) => bytes(10, i + 1));
    const results = await Promise.all(plaintexts.map((p) => encrypt(p, { keyring })));
    // Two calls serve their caller and two waiters each, the third call the last request; all at once.
    expect(inner.calls.wrap).toBe(3);
    expect(startedBeforeFirstEnd(log)).toBe(3);
    expect(keyring.stats()).toMatchObject({ hits: 4, misses: 3 });
    const uses = new Map<string, number>();
    for (const { header } of results) {
      const edk = Buffer.from(header.encryptedDataKeys[0]!.ciphertext).toString('hex');
      uses.set(edk, (uses.get(edk) ?? 0) + 1);
    }
    expect([...uses.values()].sort()).toEqual([1, 3, 3]);
    for (const [i, { message }] of results.entries()) {
      expect(Buffer.from((await decrypt(message, { keyring: inner })).plaintext).equals(plaintexts[i]!)).toBe(
        true,
      );
    }
  });

  it('lets a request wait for a call only if its plaintext fits the byte budget left', async () => {
    const log: string[] = [];
    const inner = testKeyring('kms', { delayMs: 5, log });
    const keyring = new CachingKeyring({ keyring: inner, maxAge: 60_000, maxBytes: 250 });
    await Promise.all([100, 100, 100].map((length) => encrypt(bytes(length), { keyring })));
    expect(inner.calls.wrap).toBe(2);
    expect(startedBeforeFirstEnd(log)).toBe(2);
    expect(keyring.stats()).toMatchObject({ hits: 1, misses: 2 });
  });

  it('does not queue waiters one by one behind calls whose result is not cached', async () => {
    const log: string[] = [];
    const child = testKeyring('down');
    child.down = true;
    const generator = testKeyring('up', { delayMs: 5, log });
    const keyring = new CachingKeyring({
      keyring: new MultiKeyring({ generator, children: [child], minRecipients: 1 }),
      maxAge: 60_000,
    });
    const results = await Promise.all(Array.from({ length: 4 }, () => encrypt(bytes(10), { keyring })));
    expect(results.every((r) => r.missingRecipients.length === 1)).toBe(true);
    // The first call left a recipient out, so nothing was stored: the three waiters then call together.
    expect(log.slice(0, 2)).toEqual(['start up wrap', 'end up wrap']);
    expect(log.slice(2, 5)).toEqual(['start up wrap', 'start up wrap', 'start up wrap']);
    expect(generator.calls.wrap).toBe(4);
  });

  /** A keyring whose calls are held in flight while `hold()` is in force, until `release()`. */
  function heldKeyring() {
    let gate: Promise<void> = Promise.resolve();
    let release = () => {};
    const log: string[] = [];
    const inner = testKeyring('kms', { log, gate: () => gate });
    const hold = () => {
      gate = new Promise((resolve) => (release = resolve));
    };
    return { inner, log, hold, release: () => release() };
  }

  it('rejects a waiting encrypt with ERR_CANCELLED as soon as its own signal aborts, giving its share back', async () => {
    const { inner, log, hold, release } = heldKeyring();
    const cache = new WatchedCache();
    const keyring = new CachingKeyring({ keyring: inner, cache, maxAge: 60_000, maxMessages: 2 });
    hold();
    const first = encrypt(bytes(10), { keyring });
    const controller = new AbortController();
    const waiter = encrypt(bytes(10), { keyring, signal: controller.signal });
    await vi.waitFor(() => expect(cache.joined).toBe(1));
    controller.abort();
    await expect(waiter).rejects.toMatchObject({ code: 'ERR_CANCELLED' });
    expect(log).toEqual(['start kms wrap']);
    // The second message of the key is free again: a later request waits for it, no second call.
    const later = encrypt(bytes(10), { keyring });
    await vi.waitFor(() => expect(cache.joined).toBe(2));
    release();
    await Promise.all([first, later]);
    expect(inner.calls.wrap).toBe(1);
    expect(keyring.stats()).toMatchObject({ hits: 1, misses: 1 });
  });

  it('rejects a waiting decrypt with ERR_CANCELLED as soon as its own signal aborts', async () => {
    const { inner, log, hold, release } = heldKeyring();
    const cache = new WatchedCache();
    const keyring = new CachingKeyring({ keyring: inner, cache, maxAge: 60_000 });
    const { message } = await encrypt(bytes(10), { keyring: inner });
    log.length = 0;
    hold();
    const first = decrypt(message, { keyring });
    const controller = new AbortController();
    const waiter = decrypt(message, { keyring, signal: controller.signal });
    await vi.waitFor(() => expect(cache.joined).toBe(1));
    controller.abort();
    await expect(waiter).rejects.toMatchObject({ code: 'ERR_CANCELLED' });
    expect(log).toEqual(['start kms unwrap']);
    release();
    await first;
    expect(inner.calls.unwrap).toBe(1);
  });
});
