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
import {
  AwsKmsDiscoveryKeyring,
  AwsKmsKeyring,
  AwsKmsMrkDiscoveryKeyring,
  AwsKmsMrkKeyring,
} from '../src/index.js';
import { type KmsTarget, motoOnPath, quickRetries, startMotoTarget } from './aws-targets.js';

const report = { dir: fileURLToPath(new URL('../../../.reports/conformance/', import.meta.url)) };

const control = new EmulatorControl();
const frontEnd = createAwsFrontEnd({ control, onChange: () => {} });
let endpoint: AwsEndpoint;
let kms: KMSClient;
const keys = {} as Record<KeyName, string>;
const keyring = (keyId: string, timeoutMs?: number) => new AwsKmsKeyring({ keyId, client: kms, timeoutMs });
/** The access key id of a credential that may encrypt with every key but decrypt with none. */
const ENCRYPT_ONLY = 'polykms-encrypt-only';
let encryptOnlyKms: KMSClient;

const emulated: ConformanceHarness = {
  name: 'aws-kms (emulator)',
  providerId: 'aws-kms',
  remote: true,
  bindsContext: true,
  async setup() {
    endpoint = frontEnd.endpoint('127.0.0.1', await frontEnd.listen('127.0.0.1', 0));
    kms = new KMSClient({ ...endpoint.clientConfig, retryStrategy: quickRetries });
    encryptOnlyKms = new KMSClient({
      ...endpoint.clientConfig,
      credentials: { accessKeyId: ENCRYPT_ONLY, secretAccessKey: ENCRYPT_ONLY },
      retryStrategy: quickRetries,
    });
    for (const key of ['A', 'B'] as const) {
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: `conformance ${key}` }));
      keys[key] = KeyMetadata!.Arn!;
    }
  },
  async teardown() {
    kms?.destroy();
    encryptOnlyKms?.destroy();
    await frontEnd.close();
  },
  keyringForKeyA: () => keyring(keys.A),
  keyringForKeyB: () => keyring(keys.B),
  keyringForMissingKey: () => keyring(keys.A.replace(/key\/.*$/, 'key/00000000-0000-4000-8000-000000000000')),
  keyringWithTimeout: (timeoutMs) => keyring(keys.A, timeoutMs),
  encryptOnlyKeyringForKeyA: () => {
    // The credential's policy, installed afresh with each keyring: admin.allow() clears every AWS rule.
    control.allow({ cloud: 'aws', operation: 'Decrypt', principal: ENCRYPT_ONLY });
    control.deny({ cloud: 'aws', operation: 'Decrypt', principal: ENCRYPT_ONLY });
    return new AwsKmsKeyring({ keyId: keys.A, client: encryptOnlyKms });
  },
  discoveryKeyring: (filter) =>
    new AwsKmsDiscoveryKeyring({
      discoveryFilter: {
        partition: 'aws',
        accountIds: [filter === 'admit' ? endpoint.accountId : '000000000000'],
      },
      clientProvider: () => kms,
    }),
  admin: {
    disableKey: async (key) => void (await kms.send(new DisableKeyCommand({ KeyId: keys[key] }))),
    enableKey: async (key) => void (await kms.send(new EnableKeyCommand({ KeyId: keys[key] }))),
    rotateKey: async (key) => void (await kms.send(new RotateKeyOnDemandCommand({ KeyId: keys[key] }))),
    ...emulatorAdmin({
      control,
      cloud: 'aws',
      keyIds: () => keys,
      operations: { encrypt: ['GenerateDataKey', 'Encrypt'], decrypt: ['Decrypt'] },
    }),
  },
};

registerConformanceSuite(emulated, { report });

// Against real AWS KMS: two symmetric keys of one account, and the default credential chain.
const realA = process.env.POLYKMS_CONFORMANCE_AWS_KEY_A;
const realB = process.env.POLYKMS_CONFORMANCE_AWS_KEY_B;
registerConformanceSuite(
  {
    name: 'aws-kms (real AWS)',
    providerId: 'aws-kms',
    remote: true,
    bindsContext: true,
    unavailable: realA && realB ? undefined : 'no credentials (set POLYKMS_CONFORMANCE_AWS_KEY_A and _KEY_B)',
    keyringForKeyA: () => new AwsKmsKeyring({ keyId: realA! }),
    keyringForKeyB: () => new AwsKmsKeyring({ keyId: realB! }),
    keyringWithTimeout: (timeoutMs) => new AwsKmsKeyring({ keyId: realA!, timeoutMs }),
  },
  { report },
);

// Against moto, an independent KMS implementation: no control plane, so no faults, denials or
// call counts. Rotation goes through the API; DisableKey is left out because the moto_server
// installed here answers it with an HTML error page that the SDK cannot parse.
let moto: KmsTarget | undefined;
const motoKeys = {} as Record<KeyName, string>;
const motoKeyring = (keyId: string) => new AwsKmsKeyring({ keyId, client: moto!.client() });
registerConformanceSuite(
  {
    name: 'aws-kms (moto)',
    providerId: 'aws-kms',
    remote: true,
    bindsContext: true,
    unavailable: motoOnPath ? undefined : 'moto_server is not on PATH',
    async setup() {
      moto = await startMotoTarget();
      motoKeys.A = await moto.createKey();
      motoKeys.B = await moto.createKey();
    },
    teardown: () => moto?.stop(),
    keyringForKeyA: () => motoKeyring(motoKeys.A),
    keyringForKeyB: () => motoKeyring(motoKeys.B),
    keyringForMissingKey: () =>
      motoKeyring(motoKeys.A.replace(/key\/.*$/, 'key/00000000-0000-4000-8000-000000000000')),
    discoveryKeyring: (filter) =>
      new AwsKmsDiscoveryKeyring({
        discoveryFilter: {
          partition: 'aws',
          accountIds: [filter === 'admit' ? motoKeys.A.split(':')[4]! : '000000000000'],
        },
        clientProvider: () => moto!.client(),
      }),
    admin: {
      rotateKey: async (key) =>
        void (await moto!.client().send(new RotateKeyOnDemandCommand({ KeyId: motoKeys[key] }))),
    },
  },
  { report },
);

// The conformance suite on the multi-Region keyrings: keys A and B are mrk- keys made in
// us-east-1, and the keyrings use their replicas in eu-west-1 (so every call goes there).
const mrkControl = new EmulatorControl();
const mrkFrontEnd = createAwsFrontEnd({ control: mrkControl, onChange: () => {} });
let mrkEndpoint: AwsEndpoint;
let primaryRegion: KMSClient;
let replicaRegion: KMSClient;
let mrkEncryptOnly: KMSClient;
const mrkKeys = {} as Record<KeyName, string>;
const mrkKeyring = (keyId: string, timeoutMs?: number) =>
  new AwsKmsMrkKeyring({ keyId, client: replicaRegion, timeoutMs });

const multiRegion: ConformanceHarness = {
  name: 'aws-kms multi-Region (emulator)',
  providerId: 'aws-kms',
  remote: true,
  bindsContext: true,
  async setup() {
    mrkEndpoint = mrkFrontEnd.endpoint('127.0.0.1', await mrkFrontEnd.listen('127.0.0.1', 0));
    primaryRegion = new KMSClient({
      ...mrkEndpoint.clientConfig,
      region: 'us-east-1',
      retryStrategy: quickRetries,
    });
    replicaRegion = new KMSClient({
      ...mrkEndpoint.clientConfig,
      region: 'eu-west-1',
      retryStrategy: quickRetries,
    });
    const credentials = { accessKeyId: ENCRYPT_ONLY, secretAccessKey: ENCRYPT_ONLY };
    mrkEncryptOnly = new KMSClient({ ...mrkEndpoint.clientConfig, region: 'eu-west-1', credentials });
    for (const key of ['A', 'B'] as const) {
      const { KeyMetadata } = await primaryRegion.send(new CreateKeyCommand({ MultiRegion: true }));
      const { ReplicaKeyMetadata } = await primaryRegion.send(
        new ReplicateKeyCommand({ KeyId: KeyMetadata!.Arn, ReplicaRegion: 'eu-west-1' }),
      );
      mrkKeys[key] = ReplicaKeyMetadata!.Arn!;
    }
  },
  async teardown() {
    replicaRegion?.destroy();
    mrkEncryptOnly?.destroy();
    primaryRegion?.destroy();
    await mrkFrontEnd.close();
  },
  keyringForKeyA: () => mrkKeyring(mrkKeys.A),
  keyringForKeyB: () => mrkKeyring(mrkKeys.B),
  keyringForMissingKey: () =>
    mrkKeyring(mrkKeys.A.replace(/key\/.*$/, 'key/mrk-00000000000000000000000000000000')),
  keyringWithTimeout: (timeoutMs) => mrkKeyring(mrkKeys.A, timeoutMs),
  encryptOnlyKeyringForKeyA: () => {
    mrkControl.allow({ cloud: 'aws', operation: 'Decrypt', principal: ENCRYPT_ONLY });
    mrkControl.deny({ cloud: 'aws', operation: 'Decrypt', principal: ENCRYPT_ONLY });
    return new AwsKmsMrkKeyring({ keyId: mrkKeys.A, client: mrkEncryptOnly });
  },
  discoveryKeyring: (filter) =>
    new AwsKmsMrkDiscoveryKeyring({
      discoveryFilter: {
        partition: 'aws',
        accountIds: [filter === 'admit' ? mrkEndpoint.accountId : '000000000000'],
      },
      region: 'eu-west-1',
      clientProvider: () => replicaRegion,
    }),
  admin: {
    disableKey: async (key) =>
      void (await replicaRegion.send(new DisableKeyCommand({ KeyId: mrkKeys[key] }))),
    enableKey: async (key) => void (await replicaRegion.send(new EnableKeyCommand({ KeyId: mrkKeys[key] }))),
    // Rotation is the primary's to start; it reaches the replica.
    rotateKey: async (key) =>
      void (await primaryRegion.send(
        new RotateKeyOnDemandCommand({ KeyId: mrkKeys[key].replace(':eu-west-1:', ':us-east-1:') }),
      )),
    ...emulatorAdmin({
      control: mrkControl,
      cloud: 'aws',
      keyIds: () => mrkKeys,
      operations: { encrypt: ['GenerateDataKey', 'Encrypt'], decrypt: ['Decrypt'] },
    }),
  },
};

registerConformanceSuite(multiRegion, { report });
