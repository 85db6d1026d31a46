import { fileURLToPath } from 'node:url';
import { KeyManagementServiceClient } from '@google-cloud/kms';
import {
  type ConformanceHarness,
  type KeyName,
  emulatorAdmin,
  registerConformanceSuite,
} from '@polykms/conformance';
import { type RunningEmulator, startEmulator } from '@polykms/emulator';
import { GcpKmsDiscoveryKeyring, GcpKmsKeyring } from '../src/index.js';

process.env['METADATA_SERVER_DETECTION'] = 'none';
const report = { dir: fileURLToPath(new URL('../../../.reports/conformance/', import.meta.url)) };

let emulator: RunningEmulator;
let kms: KeyManagementServiceClient;
const keys = {} as Record<KeyName, string>;
/** The primary version of each key: rotation moves it, disabling acts on it. */
const primary: Record<KeyName, number> = { A: 1, B: 1 };
/**
 * The client's own retry settings for Encrypt/Decrypt (UNAVAILABLE, DEADLINE_EXCEEDED) allow 600 s
 * in total; the fault cases need the client to give up within seconds (3 s leaves room for a
 * loaded machine on the 100-call concurrency case).
 */
const quickRetries = {
  interfaces: {
    'google.cloud.kms.v1.KeyManagementService': {
      retry_codes: { idempotent: ['DEADLINE_EXCEEDED', 'UNAVAILABLE'] },
      methods: Object.fromEntries(
        ['Encrypt', 'Decrypt'].map((m) => [
          m,
          { timeout_millis: 3000, retry_codes_name: 'idempotent', retry_params_name: 'quick' },
        ]),
      ),
      retry_params: {
        quick: {
          initial_retry_delay_millis: 20,
          retry_delay_multiplier: 2,
          max_retry_delay_millis: 200,
          initial_rpc_timeout_millis: 3000,
          rpc_timeout_multiplier: 1,
          max_rpc_timeout_millis: 3000,
          total_timeout_millis: 3000,
        },
      },
    },
  },
};
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
    kms = new KeyManagementServiceClient({ ...emulator.gcp.clientOptions, clientConfig: quickRetries });
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

registerConformanceSuite(emulated, {
  report,
  waive: {
    'faults/throttle-retried':
      'GcpKmsKeyring does not retry RESOURCE_EXHAUSTED, and the client retries only UNAVAILABLE and DEADLINE_EXCEEDED',
    'faults/unavailable-persistent':
      'the client retries UNAVAILABLE until its total timeout, then reports DEADLINE_EXCEEDED, which maps to ERR_TIMEOUT',
  },
});

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
