import { fileURLToPath } from 'node:url';
import { type CryptographyClientOptions, KeyClient } from '@azure/keyvault-keys';
import { type ConformanceHarness, type KeyName, emulatorAdmin } from '@polykms/conformance';
import { registerConformanceSuite } from '@polykms/conformance/vitest';
import { EmulatorControl, createAzureFrontEnd } from '@polykms/emulator';
import { AzureKeyVaultDiscoveryKeyring, AzureKeyVaultKeyring } from '../src/index.js';

const report = { dir: fileURLToPath(new URL('../../../.reports/conformance/', import.meta.url)) };

const control = new EmulatorControl();
// A short Retry-After on 429, so that the client's retries fit in a test.
const frontEnd = createAzureFrontEnd({ control, onChange: () => {}, throttleRetryAfterMs: 5 });
let vaultUrl: string;
let admin: KeyClient;
let clientOptions: CryptographyClientOptions;
const names: Record<KeyName, string> = { A: 'conformance-a', B: 'conformance-b' };
const keyring = (name: string, timeoutMs?: number) =>
  new AzureKeyVaultKeyring({
    keyId: `${vaultUrl}/keys/${name}`,
    credential: frontEnd.endpoint('127.0.0.1', 0).credential,
    clientOptions,
    timeoutMs,
    // Explicit, so that no `get` call for the key type is counted among the KMS calls.
    wrapAlgorithm: 'RSA-OAEP-256',
  });
/** The bearer token of an identity that may wrap with every key but unwrap with none. */
const ENCRYPT_ONLY = 'polykms-encrypt-only';
const encryptOnlyCredential = {
  getToken: async () => ({ token: ENCRYPT_ONLY, expiresOnTimestamp: Date.now() + 3_600_000 }),
};

async function latestVersion(key: KeyName): Promise<string> {
  return (await admin.getKey(names[key])).properties.version!;
}

const emulated: ConformanceHarness = {
  name: 'azure-keyvault (emulator)',
  providerId: 'azure-kv',
  remote: true,
  bindsContext: false,
  versionPinned: { currentVersion: async (key) => `/keys/${names[key]}/${await latestVersion(key)}` },
  async setup() {
    const endpoint = frontEnd.endpoint('127.0.0.1', await frontEnd.listen('127.0.0.1', 0));
    vaultUrl = endpoint.vaultUrl;
    clientOptions = {
      ...endpoint.clientOptions,
      retryOptions: { maxRetries: 2, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
    };
    admin = new KeyClient(vaultUrl, endpoint.credential, clientOptions);
    for (const key of ['A', 'B'] as const) await admin.createRsaKey(names[key], { keySize: 2048 });
  },
  teardown: () => frontEnd.close(),
  keyringForKeyA: () => keyring(names.A),
  keyringForKeyB: () => keyring(names.B),
  keyringForMissingKey: () => keyring('no-such-key'),
  keyringWithTimeout: (timeoutMs) => keyring(names.A, timeoutMs),
  encryptOnlyKeyringForKeyA: () => {
    // The identity's policy, installed afresh with each keyring: admin.allow() clears every Azure rule.
    for (const operation of ['unwrapKey', 'decrypt']) {
      control.allow({ cloud: 'azure', operation, principal: ENCRYPT_ONLY });
      control.deny({ cloud: 'azure', operation, principal: ENCRYPT_ONLY });
    }
    return new AzureKeyVaultKeyring({
      keyId: `${vaultUrl}/keys/${names.A}`,
      credential: encryptOnlyCredential,
      clientOptions,
      wrapAlgorithm: 'RSA-OAEP-256',
    });
  },
  discoveryKeyring: (filter) =>
    new AzureKeyVaultDiscoveryKeyring({
      discoveryFilter: {
        vaultHosts: [filter === 'admit' ? new URL(vaultUrl).host : 'other.vault.azure.net'],
      },
      credential: frontEnd.endpoint('127.0.0.1', 0).credential,
      clientOptions,
    }),
  admin: {
    disableKey: async (key) =>
      void (await admin.updateKeyProperties(names[key], await latestVersion(key), { enabled: false })),
    enableKey: async (key) =>
      void (await admin.updateKeyProperties(names[key], await latestVersion(key), { enabled: true })),
    rotateKey: async (key) => void (await admin.rotateKey(names[key])),
    ...emulatorAdmin({
      control,
      cloud: 'azure',
      keyIds: () => names,
      operations: { encrypt: ['wrapKey', 'encrypt'], decrypt: ['unwrapKey', 'decrypt'] },
    }),
  },
};

registerConformanceSuite(emulated, { report });

// Against a real vault: two RSA keys, DefaultAzureCredential.
const realA = process.env.POLYKMS_CONFORMANCE_AZURE_KEY_A;
const realB = process.env.POLYKMS_CONFORMANCE_AZURE_KEY_B;
registerConformanceSuite(
  {
    name: 'azure-keyvault (real Azure)',
    providerId: 'azure-kv',
    remote: true,
    bindsContext: false,
    unavailable:
      realA && realB ? undefined : 'no credentials (set POLYKMS_CONFORMANCE_AZURE_KEY_A and _KEY_B)',
    keyringForKeyA: () => new AzureKeyVaultKeyring({ keyId: realA! }),
    keyringForKeyB: () => new AzureKeyVaultKeyring({ keyId: realB! }),
    keyringWithTimeout: (timeoutMs) => new AzureKeyVaultKeyring({ keyId: realA!, timeoutMs }),
  },
  { report },
);
