import { fileURLToPath } from 'node:url';
import { KeyManagementServiceClient } from '@google-cloud/kms';
import { type ConformanceHarness, type KeyName, emulatorAdmin } from '@polykms/conformance';
import { registerConformanceSuite } from '@polykms/conformance/vitest';
import { type RunningEmulator, startEmulator } from '@polykms/emulator';
import { GcpKmsDiscoveryKeyring, GcpKmsKeyring } from '../src/index.js';

process.env['METADATA_SERVER_DETECTION'] = 'none';
const report = { dir: fileURLToPath(new URL('../../../.reports/conformance/', import.meta.url)) };

let emulator: RunningEmulator;
let kms: KeyManagementServiceClient;
const keys = {} as Record<KeyName, string>;
/** The primary version of each key: rotation moves it, disabling acts on it. */
const primary: Record<KeyName, number> = { A: 1, B: 1 };
const keyring = (keyName: string, timeoutMs?: number) =>
  new GcpKmsKeyring({ keyName, client: kms, timeoutMs });

async function setVersionState(key: KeyName, state: 'ENABLED' | 'DISABLED'): Promise<void> {
  await kms.updateCryptoKeyVersion({
    cryptoKeyVersion: { name: `${keys[key]}/cryptoKeyVersions/${primary[key]}`, state },
    updateMask: { paths: ['state'] },
  });
}

const emulated: ConformanceHarness = {
  name: 'gcp-kms (emulator)',
  providerId: 'gcp-kms',
  remote: true,
  bindsContext: true,
  async setup() {
    emulator = await startEmulator({ clouds: ['gcp'], adminPort: false });
    kms = new KeyManagementServiceClient(emulator.gcp.clientOptions);
    const parent = kms.locationPath(emulator.gcp.projectId, emulator.gcp.location);
    const [ring] = await kms.createKeyRing({ parent, keyRingId: 'conformance', keyRing: {} });
    for (const key of ['A', 'B'] as const) {
      const [created] = await kms.createCryptoKey({
        parent: ring.name!,
        cryptoKeyId: `key-${key.toLowerCase()}`,
        cryptoKey: { purpose: 'ENCRYPT_DECRYPT' },
      });
      keys[key] = created.name!;
    }
  },
  async teardown() {
    await kms?.close();
    await emulator?.stop();
  },
  keyringForKeyA: () => keyring(keys.A),
  keyringForKeyB: () => keyring(keys.B),
  keyringForMissingKey: () => keyring(`${keys.A}-missing`),
  keyringWithTimeout: (timeoutMs) => keyring(keys.A, timeoutMs),
  discoveryKeyring: (filter) =>
    new GcpKmsDiscoveryKeyring({
      discoveryFilter: { projects: [filter === 'admit' ? emulator.gcp.projectId : 'another-project'] },
      client: kms,
    }),
  admin: {
    disableKey: (key) => setVersionState(key, 'DISABLED'),
    enableKey: (key) => setVersionState(key, 'ENABLED'),
    async rotateKey(key) {
      const [version] = await kms.createCryptoKeyVersion({ parent: keys[key], cryptoKeyVersion: {} });
      const id = version.name!.split('/').pop()!;
      await kms.updateCryptoKeyPrimaryVersion({ name: keys[key], cryptoKeyVersionId: id });
      primary[key] = Number(id);
    },
    ...emulatorAdmin({
      control: {
        deny: (r) => emulator.control.deny(r),
        allow: (r) => emulator.control.allow(r),
        injectFault: (s) => emulator.control.injectFault(s),
        clearFaults: (c) => emulator.control.clearFaults(c),
        calls: (f) => emulator.control.calls(f),
      },
      cloud: 'gcp',
      keyIds: () => keys,
      operations: { encrypt: ['Encrypt'], decrypt: ['Decrypt'] },
    }),
  },
};

registerConformanceSuite(emulated, { report });

// Against real Cloud KMS: two ENCRYPT_DECRYPT CryptoKeys, Application Default Credentials.
const realA = process.env.POLYKMS_CONFORMANCE_GCP_KEY_A;
const realB = process.env.POLYKMS_CONFORMANCE_GCP_KEY_B;
registerConformanceSuite(
  {
    name: 'gcp-kms (real Google Cloud)',
    providerId: 'gcp-kms',
    remote: true,
    bindsContext: true,
    unavailable: realA && realB ? undefined : 'no credentials (set POLYKMS_CONFORMANCE_GCP_KEY_A and _KEY_B)',
    keyringForKeyA: () => new GcpKmsKeyring({ keyName: realA! }),
    keyringForKeyB: () => new GcpKmsKeyring({ keyName: realB! }),
    keyringWithTimeout: (timeoutMs) => new GcpKmsKeyring({ keyName: realA!, timeoutMs }),
  },
  { report },
);
