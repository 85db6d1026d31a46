import { fileURLToPath } from 'node:url';
import {
  CreateKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  KMSClient,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import { type ConformanceHarness, type KeyName, emulatorAdmin } from '@polykms/conformance';
import { registerConformanceSuite } from '@polykms/conformance/vitest';
import { type AwsEndpoint, EmulatorControl, createAwsFrontEnd } from '@polykms/emulator';
import { AwsKmsMrkDiscoveryKeyring, AwsKmsMrkKeyring } from '../src/index.js';
import { quickRetries } from './aws-targets.js';

const report = { dir: fileURLToPath(new URL('../../../.reports/conformance/', import.meta.url)) };

// The conformance suite on the multi-Region keyrings: keys A and B are mrk- keys made in
// us-east-1, and the keyrings use their replicas in eu-west-1 (so every call goes there).
const control = new EmulatorControl();
const frontEnd = createAwsFrontEnd({ control, onChange: () => {} });
let endpoint: AwsEndpoint;
let primaryRegion: KMSClient;
let kms: KMSClient;
const keys = {} as Record<KeyName, string>;
/** The access key id of a credential that may encrypt with every key but decrypt with none. */
const ENCRYPT_ONLY = 'polykms-encrypt-only';
let encryptOnlyKms: KMSClient;
const keyring = (keyId: string, timeoutMs?: number) =>
  new AwsKmsMrkKeyring({ keyId, client: kms, timeoutMs });

const harness: ConformanceHarness = {
  name: 'aws-kms multi-Region (emulator)',
  providerId: 'aws-kms',
  remote: true,
  bindsContext: true,
  async setup() {
    endpoint = frontEnd.endpoint('127.0.0.1', await frontEnd.listen('127.0.0.1', 0));
    primaryRegion = new KMSClient({
      ...endpoint.clientConfig,
      region: 'us-east-1',
      retryStrategy: quickRetries,
    });
    kms = new KMSClient({ ...endpoint.clientConfig, region: 'eu-west-1', retryStrategy: quickRetries });
    const credentials = { accessKeyId: ENCRYPT_ONLY, secretAccessKey: ENCRYPT_ONLY };
    encryptOnlyKms = new KMSClient({ ...endpoint.clientConfig, region: 'eu-west-1', credentials });
    for (const key of ['A', 'B'] as const) {
      const { KeyMetadata } = await primaryRegion.send(new CreateKeyCommand({ MultiRegion: true }));
      const { ReplicaKeyMetadata } = await primaryRegion.send(
        new ReplicateKeyCommand({ KeyId: KeyMetadata!.Arn, ReplicaRegion: 'eu-west-1' }),
      );
      keys[key] = ReplicaKeyMetadata!.Arn!;
    }
  },
  async teardown() {
    kms?.destroy();
    encryptOnlyKms?.destroy();
    primaryRegion?.destroy();
    await frontEnd.close();
  },
  keyringForKeyA: () => keyring(keys.A),
  keyringForKeyB: () => keyring(keys.B),
  keyringForMissingKey: () => keyring(keys.A.replace(/key\/.*$/, 'key/mrk-00000000000000000000000000000000')),
  keyringWithTimeout: (timeoutMs) => keyring(keys.A, timeoutMs),
  encryptOnlyKeyringForKeyA: () => {
    control.allow({ cloud: 'aws', operation: 'Decrypt', principal: ENCRYPT_ONLY });
    control.deny({ cloud: 'aws', operation: 'Decrypt', principal: ENCRYPT_ONLY });
    return new AwsKmsMrkKeyring({ keyId: keys.A, client: encryptOnlyKms });
  },
  discoveryKeyring: (filter) =>
    new AwsKmsMrkDiscoveryKeyring({
      discoveryFilter: {
        partition: 'aws',
        accountIds: [filter === 'admit' ? endpoint.accountId : '000000000000'],
      },
      region: 'eu-west-1',
      clientProvider: () => kms,
    }),
  admin: {
    disableKey: async (key) => void (await kms.send(new DisableKeyCommand({ KeyId: keys[key] }))),
    enableKey: async (key) => void (await kms.send(new EnableKeyCommand({ KeyId: keys[key] }))),
    // Rotation is the primary's to start; it reaches the replica.
    rotateKey: async (key) =>
      void (await primaryRegion.send(
        new RotateKeyOnDemandCommand({ KeyId: keys[key].replace(':eu-west-1:', ':us-east-1:') }),
      )),
    ...emulatorAdmin({
      control,
      cloud: 'aws',
      keyIds: () => keys,
      operations: { encrypt: ['GenerateDataKey', 'Encrypt'], decrypt: ['Decrypt'] },
    }),
  },
};

registerConformanceSuite(harness, { report });
