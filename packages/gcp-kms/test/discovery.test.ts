import { type PolykmsError, Suites, unwrapDataKey, wrapDataKey } from '@polykms/envelope';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GcpKmsDiscoveryKeyring, GcpKmsKeyring } from '../src/index.js';
import { type GcpTestBed, startGcpTestBed } from './emulator.js';

const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
const encryptionContext = { app: 'discovery' };

let bed: GcpTestBed;
beforeAll(async () => {
  bed = await startGcpTestBed();
});
afterAll(async () => bed?.stop());

async function edksOf(project: string, location: string) {
  const keyName = await bed.createKey({ project, location });
  const keyring = new GcpKmsKeyring({ keyName, client: bed.client });
  return { keyName, ...(await wrapDataKey(keyring, { suite, encryptionContext })) };
}

test('opens an EDK of any key in an allowed project, calling Decrypt on the key the EDK names', async () => {
  const { keyName, dataKey, encryptedDataKeys } = await edksOf('team-a', 'europe-west1');
  const discovery = new GcpKmsDiscoveryKeyring({
    discoveryFilter: { projects: ['team-a'] },
    client: bed.client,
  });
  bed.emulator.control.resetCounters();
  const result = await unwrapDataKey(discovery, { suite, encryptionContext, encryptedDataKeys });
  expect(Array.from(result?.dataKey as Uint8Array)).toEqual(Array.from(dataKey));
  expect(bed.emulator.control.calls({ cloud: 'gcp', operation: 'Decrypt', keyId: keyName }).total).toBe(1);
});

test('skips EDKs outside the allowed projects or locations without a KMS call', async () => {
  const other = await edksOf('team-b', 'global');
  const wrongLocation = await edksOf('team-a', 'us-east1');
  const discovery = new GcpKmsDiscoveryKeyring({
    discoveryFilter: { projects: ['team-a'], locations: ['europe-west1', 'global'] },
    client: bed.client,
  });
  bed.emulator.control.resetCounters();
  const result = await unwrapDataKey(discovery, {
    suite,
    encryptionContext,
    encryptedDataKeys: [...other.encryptedDataKeys, ...wrongLocation.encryptedDataKeys],
  });
  expect(result).toBeNull();
  expect(bed.emulator.control.calls({ cloud: 'gcp' }).total).toBe(0);
});

test('still binds the encryption context', async () => {
  const { encryptedDataKeys } = await edksOf('team-c', 'global');
  const discovery = new GcpKmsDiscoveryKeyring({
    discoveryFilter: { projects: ['team-c'] },
    client: bed.client,
  });
  const error = (await unwrapDataKey(discovery, {
    suite,
    encryptionContext: { app: 'other' },
    encryptedDataKeys,
  }).catch((e: unknown) => e)) as PolykmsError & { failures: { error: PolykmsError }[] };
  expect(error.code).toBe('ERR_NO_DECRYPTABLE_KEY');
  expect(error.failures[0]?.error.code).toBe('ERR_INVALID_CIPHERTEXT');
});

test('refuses to encrypt with ERR_INVALID_ARGUMENT naming the strict keyring', async () => {
  const discovery = new GcpKmsDiscoveryKeyring({
    discoveryFilter: { projects: ['team-a'] },
    client: bed.client,
  });
  await expect(wrapDataKey(discovery, { suite, encryptionContext })).rejects.toMatchObject({
    code: 'ERR_INVALID_ARGUMENT',
    provider: 'gcp-kms',
    message: expect.stringContaining('a discovery keyring cannot encrypt: use GcpKmsKeyring with a key id'),
  });
});

test('requires at least one project, and a non-empty location list when one is given', () => {
  expect(() => new GcpKmsDiscoveryKeyring({ discoveryFilter: { projects: [] } })).toThrow(
    /at least one project/,
  );
  expect(() => new GcpKmsDiscoveryKeyring({ discoveryFilter: { projects: ['p'], locations: [] } })).toThrow(
    /at least one location/,
  );
  expect(() => new GcpKmsDiscoveryKeyring({ discoveryFilter: { projects: ['p'], locations: [''] } })).toThrow(
    /at least one location/,
  );
});
