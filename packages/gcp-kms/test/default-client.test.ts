import { Suites, unwrapDataKey, wrapDataKey } from '@polykms/envelope';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import {
  EMULATOR_ENDPOINT_VARIABLE,
  EMULATOR_REMOTE_VARIABLE,
  GcpKmsKeyring,
  defaultClient,
} from '../src/index.js';
import { type GcpTestBed, startGcpTestBed } from './emulator.js';

const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
let bed: GcpTestBed;
beforeAll(async () => {
  bed = await startGcpTestBed();
});
afterAll(async () => bed?.stop());
afterEach(() => {
  delete process.env[EMULATOR_ENDPOINT_VARIABLE];
});

test('a keyring without a client reaches the emulator named by POLYKMS_GCP_KMS_ENDPOINT', async () => {
  const keyName = await bed.createKey();
  process.env[EMULATOR_ENDPOINT_VARIABLE] = bed.emulator.env['POLYKMS_GCP_KMS_ENDPOINT'];
  const keyring = new GcpKmsKeyring({ keyName });
  const { dataKey, encryptedDataKeys } = await wrapDataKey(keyring, { suite, encryptionContext: {} });
  const opened = await unwrapDataKey(keyring, { suite, encryptionContext: {}, encryptedDataKeys });
  expect(Array.from(opened?.dataKey as Uint8Array)).toEqual(Array.from(dataKey));
  expect(bed.emulator.control.calls({ cloud: 'gcp', operation: 'Encrypt', keyId: keyName }).total).toBe(1);
});

test.each(['10.0.0.5:9010', 'kms.example.com:443', '127.0.0.1', '127.0.0.1:0', 'localhost:99999'])(
  'refuses the non-loopback or malformed emulator endpoint %s',
  (endpoint) => {
    expect(() => defaultClient({ [EMULATOR_ENDPOINT_VARIABLE]: endpoint })).toThrow(
      /must be a loopback host:port/,
    );
  },
);

test('takes any host:port beside POLYKMS_GCP_KMS_EMULATOR_REMOTE=1 (the emulator exports it off loopback)', async () => {
  const remote = { [EMULATOR_ENDPOINT_VARIABLE]: 'kms.ci.internal:9010' };
  expect(() => defaultClient({ ...remote, [EMULATOR_REMOTE_VARIABLE]: 'yes' })).toThrow(
    new RegExp(`must be a loopback host:port.*${EMULATOR_REMOTE_VARIABLE}=1`),
  );
  expect(() =>
    defaultClient({
      [EMULATOR_ENDPOINT_VARIABLE]: 'https://kms.ci.internal',
      [EMULATOR_REMOTE_VARIABLE]: '1',
    }),
  ).toThrow(/must be host:port/);
  // The remote path's client reaches an emulator by name (here the test bed, by its host name).
  const keyName = await bed.createKey();
  const port = bed.emulator.env['POLYKMS_GCP_KMS_ENDPOINT']!.split(':').pop();
  const client = defaultClient({
    [EMULATOR_ENDPOINT_VARIABLE]: `localhost:${port}`,
    [EMULATOR_REMOTE_VARIABLE]: '1',
  });
  const keyring = new GcpKmsKeyring({ keyName, client });
  const { dataKey, encryptedDataKeys } = await wrapDataKey(keyring, { suite, encryptionContext: {} });
  const opened = await unwrapDataKey(keyring, { suite, encryptionContext: {}, encryptedDataKeys });
  expect(Array.from(opened?.dataKey as Uint8Array)).toEqual(Array.from(dataKey));
});
