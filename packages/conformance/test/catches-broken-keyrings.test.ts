import { randomBytes } from 'node:crypto';
import { type ConformanceHarness, conformanceCases, skipReason } from '@polykms/conformance';
import {
  type Keyring,
  KmsError,
  type UnwrapRequest,
  type UnwrapResult,
  type WrapRequest,
  type WrapResult,
  isPolykmsError,
} from '@polykms/envelope';
import { runCase } from '../src/run-case.js';
import { describe, expect, it, vi } from 'vitest';
import { createInMemoryKmsHarness } from '../examples/in-memory-kms/harness.js';
import { InMemoryKmsKeyring } from '../examples/in-memory-kms/index.js';

/*
 * A suite that passes everything proves nothing. Each test here breaks the example adapter in
 * one way a real adapter could be broken, and checks that the case meant to catch it fails.
 */

type Override = {
  wrap?: (inner: Keyring, request: WrapRequest) => Promise<WrapResult>;
  unwrap?: (inner: Keyring, request: UnwrapRequest) => Promise<UnwrapResult | null>;
};

function broken(inner: Keyring, override: Override): Keyring {
  return {
    description: `broken ${inner.description}`,
    wrap: (request) => (override.wrap ? override.wrap(inner, request) : inner.wrap(request)),
    unwrap: (request) => (override.unwrap ? override.unwrap(inner, request) : inner.unwrap(request)),
  };
}

/** The example harness with key A's keyrings (and optionally B's) replaced by broken ones. */
function harnessWith(override: Override, extra: Partial<ConformanceHarness> = {}): ConformanceHarness {
  const base = createInMemoryKmsHarness();
  return {
    ...base,
    keyringForKeyA: async () => broken(await base.keyringForKeyA(), override),
    keyringWithTimeout: async (ms) => broken(await base.keyringWithTimeout!(ms), override),
    ...extra,
  };
}

async function expectCaseToFail(id: string, harness: ConformanceHarness, message?: RegExp): Promise<void> {
  const testCase = conformanceCases.find((c) => c.id === id);
  expect(testCase, id).toBeDefined();
  expect(skipReason(testCase!, harness)).toBeUndefined();
  await expect(testCase!.run(harness)).rejects.toThrow(message);
}

describe('the suite catches broken keyrings', () => {
  it('passes the unbroken example adapter on the cases used below (control)', async () => {
    const harness = createInMemoryKmsHarness();
    for (const id of [
      'round-trip/wraps-differ',
      'isolation/key-b-ignores-key-a-no-call',
      'leaks/errors-and-events',
      'leaks/declared-secrets',
      'leaks/edk-carries-no-data-key',
    ]) {
      await conformanceCases.find((c) => c.id === id)!.run(harness);
    }
  });

  it('fails a keyring whose wraps are deterministic', async () => {
    const cache = new Map<string, WrapResult>();
    const harness = harnessWith({
      async wrap(inner, request) {
        const id = Buffer.from(request.dataKey ?? []).toString('hex');
        const result = cache.get(id) ?? (await inner.wrap(request));
        if (request.dataKey) cache.set(id, result);
        return result;
      },
    });
    await expectCaseToFail('round-trip/wraps-differ', harness, /deterministic/);
  });

  it("fails a key-B keyring that tries key A's EDKs (discovery posing as strict)", async () => {
    const base = createInMemoryKmsHarness();
    const harness = { ...base, keyringForKeyB: () => base.discoveryKeyring!('admit') };
    await expectCaseToFail('isolation/key-b-ignores-key-a', harness);
    await expectCaseToFail('isolation/key-b-ignores-key-a-no-call', harness);
  });

  it('fails a keyring that swallows the failure of its own tampered EDK and returns null', async () => {
    const harness = harnessWith({ unwrap: (inner, request) => inner.unwrap(request).catch(() => null) });
    await expectCaseToFail('tampering/first-ciphertext-byte-flipped', harness, /must try it and fail/);
  });

  it('fails a keyring that answers a tampered EDK with some data key', async () => {
    const harness = harnessWith({
      unwrap: (inner, request) =>
        inner
          .unwrap(request)
          .catch(() => ({ dataKey: randomBytes(32), encryptedDataKey: request.encryptedDataKeys[0]! })),
    });
    await expectCaseToFail('tampering/last-ciphertext-byte-flipped', harness, /returned a data key/);
  });

  it('fails a keyring that throws untyped errors', async () => {
    const harness = harnessWith({
      wrap: (inner, request) =>
        inner.wrap(request).catch((error: unknown) => {
          throw new Error(String(error));
        }),
    });
    await expectCaseToFail('errors/denied-encrypt', harness, /untyped error/);
  });

  it('fails a keyring whose error table maps everything to ERR_PROVIDER_FAILURE', async () => {
    const flatten = (error: unknown): never => {
      if (!isPolykmsError(error)) throw error;
      throw new KmsError({ code: 'ERR_PROVIDER_FAILURE', provider: 'in-memory-kms', operation: 'Encrypt' });
    };
    const harness = harnessWith({ wrap: (inner, request) => inner.wrap(request).catch(flatten) });
    await expectCaseToFail(
      'errors/disabled-key-wrap',
      harness,
      /ERR_PROVIDER_FAILURE; expected ERR_KEY_DISABLED/,
    );
    await expectCaseToFail('faults/throttle-persistent', harness, /expected ERR_THROTTLED/);
  });

  it('fails a keyring that does not retry transient failures', async () => {
    const base = createInMemoryKmsHarness();
    const client = base.kms.connect();
    const keyId = 'imkms:acct-1:key-a';
    const harness = {
      ...base,
      keyringForKeyA: () => new InMemoryKmsKeyring({ client, keyId, retry: { maxAttempts: 1 } }),
    };
    await expectCaseToFail('faults/throttle-retried', harness, /ERR_THROTTLED/);
  });

  it('fails a keyring that ignores the abort signal', async () => {
    const harness = harnessWith({
      wrap: (inner, request) => inner.wrap({ ...request, signal: undefined }),
      unwrap: (inner, request) => inner.unwrap({ ...request, signal: undefined }),
    });
    await expectCaseToFail('faults/abort-before-call', harness, /succeeded; expected ERR_CANCELLED/);
  });

  it('fails a keyring that does not bind the encryption context while claiming to', async () => {
    const harness = harnessWith({
      wrap: (inner, request) => inner.wrap({ ...request, encryptionContext: {} }),
      unwrap: (inner, request) => inner.unwrap({ ...request, encryptionContext: {} }),
    });
    await expectCaseToFail('context/unwrap-other-context', harness, /succeeded/);
  });

  it('fails a keyring that puts the data key into an error message', async () => {
    const harness = harnessWith({
      wrap: (inner, request) =>
        inner.wrap(request).catch((error: unknown) => {
          const key = request.dataKey ? Buffer.from(request.dataKey).toString('base64') : 'none';
          throw new KmsError({
            code: 'ERR_ACCESS_DENIED',
            provider: 'x',
            operation: 'Encrypt',
            detail: `key ${key}`,
            cause: error,
          });
        }),
    });
    await expectCaseToFail('leaks/errors-and-events', harness, /data key \(base64\) in wrap while denied/);
  });

  it('fails a keyring that puts a secret the harness declares (its API token) into an error', async () => {
    const token = randomBytes(24).toString('base64');
    const harness = harnessWith(
      {
        unwrap: (inner, request) =>
          inner.unwrap(request).catch((error: unknown) => {
            throw new KmsError({
              code: 'ERR_ACCESS_DENIED',
              provider: 'x',
              operation: 'Decrypt',
              detail: `denied for token ${token}`,
              cause: error,
            });
          }),
      },
      { secrets: () => [{ name: 'API token', value: token }] },
    );
    await expectCaseToFail('leaks/declared-secrets', harness, /API token \(raw bytes\) in unwrap/);
  });

  it('fails a keyring that logs a declared secret, without printing it', async () => {
    const token = randomBytes(24).toString('hex');
    const harness = harnessWith(
      {
        async wrap(inner, request) {
          console.error(`wrapping with token ${token}`);
          return inner.wrap(request);
        },
      },
      { secrets: () => [{ name: 'API token', value: token }] },
    );
    const printed: unknown[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      printed.push(chunk);
      return true;
    });
    try {
      await expectCaseToFail('leaks/declared-secrets', harness, /API token \(raw bytes\) in console/);
    } finally {
      spy.mockRestore();
    }
    expect(printed.join('')).not.toContain(token);
  });

  it('passes a keyring that keeps the declared secrets to itself (control)', async () => {
    const harness = harnessWith({}, { secrets: () => [{ name: 'API token', value: randomBytes(24) }] });
    await conformanceCases.find((c) => c.id === 'leaks/declared-secrets')!.run(harness);
  });

  it('fails, in the case named for it, a keyring whose EDK is the data key in clear', async () => {
    const harness = harnessWith({
      async wrap(_inner, request) {
        const dataKey = request.dataKey ?? randomBytes(request.suite.keyLength);
        const edk = {
          providerId: 'imkms',
          providerInfo: Buffer.from('key-a'),
          ciphertext: Uint8Array.from(dataKey),
        };
        return { ...(request.dataKey ? {} : { dataKey }), encryptedDataKeys: [edk] };
      },
    });
    await expectCaseToFail(
      'leaks/edk-carries-no-data-key',
      harness,
      /an EDK carries its data key in clear: the given data key \(raw bytes\) in EDK 0 ciphertext/,
    );
  });

  it('fails a keyring that hides the data key as hex in its provider info', async () => {
    const harness = harnessWith({
      async wrap(inner, request) {
        const result = await inner.wrap(request);
        const dataKey = request.dataKey ?? result.dataKey!;
        const [edk] = result.encryptedDataKeys;
        const providerInfo = Buffer.concat([
          edk!.providerInfo,
          Buffer.from(Buffer.from(dataKey).toString('hex')),
        ]);
        return { ...result, encryptedDataKeys: [{ ...edk!, providerInfo }] };
      },
    });
    await expectCaseToFail('leaks/edk-carries-no-data-key', harness, /\(hex\) in EDK 0 provider info/);
  });

  it('fails a harness whose provider info does not name the version', async () => {
    const harness = {
      ...createInMemoryKmsHarness(),
      versionPinned: { currentVersion: () => '/versions/99' },
    };
    await expectCaseToFail('provider-info/names-key-version', harness, /does not name its version/);
  });

  it('fails a keyring that compares provider ids without regard to case', async () => {
    const harness = harnessWith({
      async unwrap(inner, request) {
        const lowered = request.encryptedDataKeys.map((edk) => ({
          ...edk,
          providerId: edk.providerId.toLowerCase(),
        }));
        const result = await inner.unwrap({ ...request, encryptedDataKeys: lowered });
        if (result === null) return null;
        const offered = request.encryptedDataKeys[lowered.indexOf(result.encryptedDataKey)]!;
        return { dataKey: result.dataKey, encryptedDataKey: offered };
      },
    });
    await expectCaseToFail(
      'isolation/foreign-providers',
      harness,
      /must return null for EDKs of other providers/,
    );
  });

  it("fails a keyring that zeroes the caller's data key after wrapping it", async () => {
    const harness = harnessWith({
      async wrap(inner, request) {
        const result = await inner.wrap(request);
        request.dataKey?.fill(0);
        return result;
      },
    });
    await expectCaseToFail('round-trip/wrap-existing', harness, /must not zero or change it/);
  });

  it('fails a discovery keyring whose filter admits every account', async () => {
    const base = createInMemoryKmsHarness();
    const harness = { ...base, discoveryKeyring: () => base.discoveryKeyring!('admit') };
    await expectCaseToFail('discovery/refuses', harness);
  });
});

describe('the suite checks what the harness declares', () => {
  const generate = conformanceCases.find((c) => c.id === 'round-trip/generate')!;

  it('fails a case of a harness that declares remote: false while its keyring calls a KMS', async () => {
    const harness = { ...createInMemoryKmsHarness(), remote: false };
    await expect(runCase(generate, harness)).rejects.toThrow(/declares remote: false, but the keyring made/);
  });

  it('counts the calls on the polykms:kms-call channel when the harness has no callCount', async () => {
    // The example keyring publishes each call through kmsCall; without admin, only events count.
    const harness = { ...createInMemoryKmsHarness(), remote: false, admin: undefined };
    await expect(runCase(generate, harness)).rejects.toThrow(/made [1-9]\d* KMS call\(s\)/);
  });

  it('passes the same case when the harness declares remote: true (control)', async () => {
    await runCase(generate, createInMemoryKmsHarness());
  });
});

describe('the suite catches deferred and repeated misbehaviour', () => {
  it("fails a keyring that zeroes the caller's data key in a timer after wrap returned", async () => {
    const harness = harnessWith({
      async wrap(inner, request) {
        const result = await inner.wrap(request);
        const given = request.dataKey;
        if (given) setTimeout(() => given.fill(0), 0);
        return result;
      },
    });
    await expectCaseToFail('round-trip/wrap-existing', harness, /must not zero or change it/);
  });

  it('fails a keyring that zeroes the data key it generated in a timer after returning it', async () => {
    const harness = harnessWith({
      async wrap(inner, request) {
        const result = await inner.wrap(request);
        const generated = request.dataKey ? undefined : result.dataKey;
        if (generated) setTimeout(() => generated.fill(0), 0);
        return result;
      },
    });
    await expectCaseToFail('round-trip/generate', harness, /must not zero it later/);
  });

  /** Retries every failure, as a keyring that ignores `retryable` would. */
  const retryingAll = (attempts: number): Override => {
    const retry = async <T>(call: () => Promise<T>): Promise<T> => {
      for (let i = 1; ; i++) {
        try {
          return await call();
        } catch (error) {
          if (i >= attempts) throw error;
        }
      }
    };
    return {
      wrap: (inner, request) => retry(() => inner.wrap(request)),
      unwrap: (inner, request) => retry(() => inner.unwrap(request)),
    };
  };

  it('fails a keyring that retries access denied, a disabled key and a missing key', async () => {
    const base = createInMemoryKmsHarness();
    const harness: ConformanceHarness = {
      ...base,
      keyringForKeyA: async () => broken(await base.keyringForKeyA(), retryingAll(3)),
      keyringForMissingKey: async () => broken(await base.keyringForMissingKey!(), retryingAll(3)),
    };
    for (const id of [
      'errors/denied-encrypt',
      'errors/denied-decrypt',
      'errors/disabled-key-wrap',
      'errors/disabled-key-unwrap',
      'errors/missing-key',
    ]) {
      await expectCaseToFail(id, harness, /made 3 KMS calls for a failure a retry cannot fix/);
    }
  });

  it('fails a keyring that retries an invalid (tampered) ciphertext', async () => {
    const harness = harnessWith(retryingAll(3));
    await expectCaseToFail(
      'tampering/first-ciphertext-byte-flipped',
      harness,
      /made 3 KMS calls; an invalid ciphertext must not be retried/,
    );
  });
});
