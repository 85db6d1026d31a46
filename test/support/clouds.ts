import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { KeyClient } from '@azure/keyvault-keys';
import { KeyManagementServiceClient } from '@google-cloud/kms';
import { AwsKmsDiscoveryKeyring, AwsKmsKeyring } from '@polykms/aws-kms';
import { AzureKeyVaultDiscoveryKeyring, AzureKeyVaultKeyring } from '@polykms/azure-keyvault';
import { type EmulatorControl, type RunningEmulator, startEmulator } from '@polykms/emulator';
import { GcpKmsDiscoveryKeyring, GcpKmsKeyring } from '@polykms/gcp-kms';

// The Google client probes the GCE metadata server unless told there is none.
process.env['METADATA_SERVER_DETECTION'] = 'none';

/**
 * The emulator's three clouds on loopback, the official clients pointed at them with their SDK
 * retries turned off (a fault shows up as one failed call, not a retry loop: the Google client
 * would otherwise retry UNAVAILABLE for up to 600 s), and keyrings built on those clients.
 */
export interface CloudBed {
  readonly emulator: RunningEmulator;
  readonly control: EmulatorControl;
  readonly gcpClient: KeyManagementServiceClient;
  readonly azureAdmin: KeyClient;
  createAwsKey(): Promise<string>;
  createGcpKey(): Promise<string>;
  /** An RSA key in the vault; returns its key id without a version. */
  createAzureKey(): Promise<string>;
  aws(keyId: string): AwsKmsKeyring;
  gcp(keyName: string): GcpKmsKeyring;
  azure(keyId: string): AzureKeyVaultKeyring;
  awsDiscovery(): AwsKmsDiscoveryKeyring;
  gcpDiscovery(): GcpKmsDiscoveryKeyring;
  azureDiscovery(): AzureKeyVaultDiscoveryKeyring;
  /** Calls the emulator counted for one cloud (and operation). */
  calls(cloud: 'aws' | 'gcp' | 'azure', operation?: string): number;
  stop(): Promise<void>;
}

/** Encrypt and Decrypt without the Google client's built-in retry of UNAVAILABLE. */
const GCP_NO_RETRY = {
  interfaces: {
    'google.cloud.kms.v1.KeyManagementService': {
      // An override names its codes in its own table (google-gax does not look them up in the defaults).
      retry_codes: { none: [] },
      methods: {
        Encrypt: { retry_codes_name: 'none' },
        Decrypt: { retry_codes_name: 'none' },
      },
    },
  },
};

let sequence = 0;

export async function startCloudBed(): Promise<CloudBed> {
  const emulator = await startEmulator({ adminPort: false });
  const { control } = emulator;
  const awsClients = new Map<string, KMSClient>();
  const awsClient = (region: string) => {
    let client = awsClients.get(region);
    if (!client) {
      client = new KMSClient({ ...emulator.aws.clientConfig, region, maxAttempts: 1 });
      awsClients.set(region, client);
    }
    return client;
  };
  const gcpClient = new KeyManagementServiceClient({
    ...emulator.gcp.clientOptions,
    clientConfig: GCP_NO_RETRY,
  });
  const azureOptions = { ...emulator.azure.clientOptions, retryOptions: { maxRetries: 0 } };
  const azureAdmin = new KeyClient(emulator.azure.vaultUrl, emulator.azure.credential, azureOptions);
  const { credential } = emulator.azure;

  return {
    emulator,
    control,
    gcpClient,
    azureAdmin,
    async createAwsKey() {
      const { KeyMetadata } = await awsClient(emulator.aws.region).send(new CreateKeyCommand({}));
      return KeyMetadata?.Arn as string;
    },
    async createGcpKey() {
      const parent = gcpClient.locationPath(emulator.gcp.projectId, emulator.gcp.location);
      const [ring] = await gcpClient.createKeyRing({ parent, keyRingId: `ring-${++sequence}`, keyRing: {} });
      const [key] = await gcpClient.createCryptoKey({
        parent: ring.name as string,
        cryptoKeyId: `key-${sequence}`,
        cryptoKey: { purpose: 'ENCRYPT_DECRYPT' },
      });
      return key.name as string;
    },
    async createAzureKey() {
      const name = `key-${++sequence}`;
      await azureAdmin.createRsaKey(name, { keySize: 2048 });
      return `${emulator.azure.vaultUrl}/keys/${name}`;
    },
    aws: (keyId) => new AwsKmsKeyring({ keyId, clientProvider: awsClient }),
    gcp: (keyName) => new GcpKmsKeyring({ keyName, client: gcpClient }),
    azure: (keyId) => new AzureKeyVaultKeyring({ keyId, credential, clientOptions: azureOptions }),
    awsDiscovery: () =>
      new AwsKmsDiscoveryKeyring({
        discoveryFilter: { partition: 'aws', accountIds: [emulator.aws.accountId] },
        clientProvider: awsClient,
      }),
    gcpDiscovery: () =>
      new GcpKmsDiscoveryKeyring({
        discoveryFilter: { projects: [emulator.gcp.projectId] },
        client: gcpClient,
      }),
    azureDiscovery: () =>
      new AzureKeyVaultDiscoveryKeyring({
        discoveryFilter: { vaultHosts: [new URL(emulator.azure.vaultUrl).host] },
        credential,
        clientOptions: azureOptions,
      }),
    calls: (cloud, operation) => control.calls({ cloud, ...(operation ? { operation } : {}) }).total,
    async stop() {
      for (const client of awsClients.values()) client.destroy();
      await gcpClient.close();
      await emulator.stop();
    },
  };
}
