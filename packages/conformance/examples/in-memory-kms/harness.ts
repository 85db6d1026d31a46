import type { ConformanceHarness, KeyName, KmsOperation } from '@polykms/conformance';
import { InMemoryKms, InMemoryKmsKeyring, type Operation, PROVIDER_ID } from './index.js';

const operations: Record<KmsOperation, Operation[]> = {
  encrypt: ['GenerateDataKey', 'Encrypt'],
  decrypt: ['Decrypt'],
};

/**
 * The harness: how the suite gets keyrings for keys A and B, and how it drives the KMS behind
 * them. Each call makes a fresh KMS, so that tests of the suite itself can start from a clean one.
 */
export function createInMemoryKmsHarness(): ConformanceHarness & { readonly kms: InMemoryKms } {
  const kms = new InMemoryKms();
  const keys: Record<KeyName, string> = {
    A: kms.createKey('acct-1', 'key-a'),
    B: kms.createKey('acct-1', 'key-b'),
  };
  const client = kms.connect();
  const retry = { maxAttempts: 3, initialDelayMs: 5 };
  return {
    kms,
    name: 'in-memory-kms (example adapter)',
    providerId: PROVIDER_ID,
    remote: true,
    bindsContext: true,
    versionPinned: { currentVersion: (key) => `/versions/${kms.currentVersion(keys[key])}` },
    keyringForKeyA: () => new InMemoryKmsKeyring({ client, keyId: keys.A, retry }),
    keyringForKeyB: () => new InMemoryKmsKeyring({ client, keyId: keys.B, retry }),
    keyringForMissingKey: () => new InMemoryKmsKeyring({ client, keyId: 'imkms:acct-1:no-such-key', retry }),
    keyringWithTimeout: (timeoutMs) => new InMemoryKmsKeyring({ client, keyId: keys.A, retry, timeoutMs }),
    discoveryKeyring: (filter) =>
      new InMemoryKmsKeyring({
        client,
        discovery: { accounts: filter === 'admit' ? ['acct-1'] : ['acct-2'] },
        retry,
      }),
    secrets: () =>
      (['A', 'B'] as const).flatMap((key) =>
        kms.keyMaterial(keys[key]).map((value, i) => ({ name: `key ${key} version ${i + 1}`, value })),
      ),
    encryptOnlyKeyringForKeyA: () =>
      new InMemoryKmsKeyring({ client: kms.connect({ permissions: ['encrypt'] }), keyId: keys.A, retry }),
    admin: {
      disableKey: (key) => kms.disableKey(keys[key]),
      enableKey: (key) => kms.enableKey(keys[key]),
      rotateKey: (key) => kms.rotateKey(keys[key]),
      deny: (key, operation) => kms.deny({ keyId: keys[key], operations: operations[operation] }),
      allow: () => kms.allow(),
      injectFault: (kind, options = {}) =>
        kms.injectFault({
          kind,
          keyId: options.key && keys[options.key],
          operations: options.operation && operations[options.operation],
          count: options.count,
          latencyMs: options.latencyMs,
        }),
      clearFaults: () => kms.clearFaults(),
      callCount: () => kms.callCount,
    },
  };
}
