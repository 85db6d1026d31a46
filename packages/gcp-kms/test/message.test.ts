import { decrypt, encrypt, inspect } from '@polykms/envelope';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GcpKmsDiscoveryKeyring, GcpKmsKeyring } from '../src/index.js';
import { type GcpTestBed, startGcpTestBed } from './emulator.js';

let bed: GcpTestBed;
let keyName: string;
beforeAll(async () => {
  bed = await startGcpTestBed();
  keyName = await bed.createKey();
});
afterAll(async () => bed?.stop());

const plaintext = new TextEncoder().encode('a whole message through Cloud KMS');

test('encrypts and decrypts a whole message with the GCP keyring', async () => {
  const keyring = new GcpKmsKeyring({ keyName, client: bed.client });
  const { message } = await encrypt(plaintext, { keyring, encryptionContext: { order: '42' } });
  const info = inspect(message);
  expect(info.encryptedDataKeys.map((e) => e.providerId)).toEqual(['gcp-kms']);
  const result = await decrypt(message, { keyring, encryptionContext: { order: '42' } });
  expect(new TextDecoder().decode(result.plaintext)).toBe('a whole message through Cloud KMS');
  expect(result.encryptionContext).toMatchObject({ order: '42' });
});

test('a discovery keyring for the project decrypts the message', async () => {
  const keyring = new GcpKmsKeyring({ keyName, client: bed.client });
  const { message } = await encrypt(plaintext, { keyring });
  const discovery = new GcpKmsDiscoveryKeyring({
    discoveryFilter: { projects: [bed.emulator.gcp.projectId] },
    client: bed.client,
  });
  const result = await decrypt(message, { keyring: discovery });
  expect(Buffer.from(result.plaintext).equals(Buffer.from(plaintext))).toBe(true);
});

test('a keyring of another key cannot decrypt and makes no KMS call', async () => {
  const keyring = new GcpKmsKeyring({ keyName, client: bed.client });
  const { message } = await encrypt(plaintext, { keyring });
  const other = new GcpKmsKeyring({ keyName: await bed.createKey(), client: bed.client });
  bed.emulator.control.resetCounters();
  await expect(decrypt(message, { keyring: other })).rejects.toMatchObject({
    code: 'ERR_NO_DECRYPTABLE_KEY',
  });
  expect(bed.emulator.control.calls({ cloud: 'gcp', operation: 'Decrypt' }).total).toBe(0);
});
