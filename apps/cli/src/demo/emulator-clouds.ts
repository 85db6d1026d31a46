import type { AwsEndpoint, AzureEndpoint, Cloud, GcpEndpoint } from '@polykms/emulator';
import type { KeyUriOptions } from '@polykms/key-uri';

export type { Cloud };

/**
 * Everything the demo and the end-to-end tests ask of the emulator, in one file: creating and
 * disabling keys through each cloud's official client, exactly as one would in the real cloud,
 * counting calls and injecting an outage. The SDKs are imported on use.
 */

/** Runs `work` with an AWS KMS client for the emulator, destroyed afterwards. */
async function withAwsClient<T>(
  endpoint: AwsEndpoint,
  work: (client: import('@aws-sdk/client-kms').KMSClient) => Promise<T>,
): Promise<T> {
  const { KMSClient } = await import('@aws-sdk/client-kms');
  const client = new KMSClient({
    endpoint: endpoint.endpoint,
    region: endpoint.region,
    credentials: endpoint.credentials,
  });
  try {
    return await work(client);
  } finally {
    client.destroy();
  }
}

/** A new symmetric AWS KMS key: `aws-kms://<key ARN>`. */
export async function createAwsKey(endpoint: AwsEndpoint, description: string): Promise<string> {
  const { CreateKeyCommand } = await import('@aws-sdk/client-kms');
  return withAwsClient(endpoint, async (client) => {
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ Description: description }));
    if (!KeyMetadata?.Arn) throw new Error('CreateKey returned no key ARN');
    return `aws-kms://${KeyMetadata.Arn}`;
  });
}

/** A new key ring (if needed) and symmetric CryptoKey: `gcp-kms://projects/…/cryptoKeys/<key>`. */
export async function createGcpKey(endpoint: GcpEndpoint, keyRingId: string, keyId: string): Promise<string> {
  const [{ KeyManagementServiceClient }, grpc] = await Promise.all([
    import('@google-cloud/kms'),
    import('@grpc/grpc-js'),
  ]);
  process.env['METADATA_SERVER_DETECTION'] ??= 'none';
  const client = new KeyManagementServiceClient({
    apiEndpoint: endpoint.host,
    port: endpoint.port,
    sslCreds: grpc.credentials.createInsecure(),
  });
  try {
    const parent = client.locationPath(endpoint.projectId, endpoint.location);
    const keyRingName = client.keyRingPath(endpoint.projectId, endpoint.location, keyRingId);
    try {
      await client.createKeyRing({ parent, keyRingId, keyRing: {} });
    } catch (error) {
      if ((error as { code?: unknown }).code !== 6) throw error; // ALREADY_EXISTS: reuse the ring
    }
    const [key] = await client.createCryptoKey({
      parent: keyRingName,
      cryptoKeyId: keyId,
      cryptoKey: {
        purpose: 'ENCRYPT_DECRYPT',
        versionTemplate: { algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION' },
      },
    });
    if (!key.name) throw new Error('CreateCryptoKey returned no key name');
    return `gcp-kms://${key.name}`;
  } finally {
    await client.close();
  }
}

/** Options that make the Azure clients talk to the emulator's vault (its own CA, a loopback host). */
export function azureEmulatorClientOptions(endpoint: AzureEndpoint) {
  return {
    tlsOptions: { ca: endpoint.caCertPem },
    disableChallengeResourceVerification: true,
  } as const;
}

/** The emulator accepts any bearer token; @azure/identity has no static-token credential. */
export const azureEmulatorCredential = {
  getToken: async () => ({ token: 'polykms-emulator', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

/** A new RSA key in the emulated vault: `azure-kv://<vault-host>/keys/<name>` (latest version). */
export async function createAzureKey(endpoint: AzureEndpoint, name: string): Promise<string> {
  const { KeyClient } = await import('@azure/keyvault-keys');
  const client = new KeyClient(
    endpoint.vaultUrl,
    azureEmulatorCredential,
    azureEmulatorClientOptions(endpoint),
  );
  const key = await client.createRsaKey(name, { keySize: 2048 });
  if (!key.name) throw new Error('createKey returned no key');
  return `azure-kv://${new URL(endpoint.vaultUrl).host}/keys/${key.name}`;
}

/**
 * Provider settings that point every keyring at an emulator running in this process. (A separate
 * process gets the same from the environment variables the emulator prints.)
 */
export async function emulatorProviderSettings(endpoints: {
  aws: AwsEndpoint;
  gcp: GcpEndpoint;
  azure: AzureEndpoint;
}): Promise<KeyUriOptions> {
  const [{ KMSClient }, { KeyManagementServiceClient }, grpc] = await Promise.all([
    import('@aws-sdk/client-kms'),
    import('@google-cloud/kms'),
    import('@grpc/grpc-js'),
  ]);
  const { aws, gcp, azure } = endpoints;
  process.env['METADATA_SERVER_DETECTION'] ??= 'none';
  const awsClients = new Map<string, InstanceType<typeof KMSClient>>();
  const awsClient = (region: string) => {
    let client = awsClients.get(region);
    if (!client) {
      client = new KMSClient({ endpoint: aws.endpoint, region, credentials: aws.credentials });
      awsClients.set(region, client);
    }
    return client;
  };
  return {
    aws: { clientProvider: awsClient },
    gcp: {
      client: new KeyManagementServiceClient({
        apiEndpoint: gcp.host,
        port: gcp.port,
        sslCreds: grpc.credentials.createInsecure(),
      }),
    },
    azure: { credential: azureEmulatorCredential, clientOptions: azureEmulatorClientOptions(azure) },
  };
}

/** Disables an AWS KMS key (`aws-kms://<ARN>`), as `aws kms disable-key` would. */
export async function disableAwsKey(endpoint: AwsEndpoint, uri: string): Promise<void> {
  const { DisableKeyCommand } = await import('@aws-sdk/client-kms');
  await withAwsClient(endpoint, async (client) => {
    await client.send(new DisableKeyCommand({ KeyId: uri.slice('aws-kms://'.length) }));
  });
}

/** One key URI per cloud. */
export type CloudKeys = Readonly<Record<Cloud, string>>;

/** The three clouds the demo runs against, emulated in this process on 127.0.0.1. */
export interface EmulatedClouds {
  /** Provider settings that point every keyring at the emulator. */
  readonly settings: KeyUriOptions;
  /** Creates one key in each cloud. */
  createKeys(): Promise<CloudKeys>;
  /** KMS calls `cloud` has answered (or refused) so far. */
  calls(cloud: Cloud): number;
  /** Every call to `cloud` fails as unavailable until the returned function is called. */
  outage(cloud: Cloud): () => void;
  /** Disables the AWS key `uri`, as an administrator would. */
  disableAwsKey(uri: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startEmulatedClouds(): Promise<EmulatedClouds> {
  const { startEmulator } = await import('@polykms/emulator');
  const emulator = await startEmulator({ adminPort: false });
  const { control } = emulator;
  try {
    return {
      settings: await emulatorProviderSettings(emulator),
      createKeys: async () => ({
        aws: await createAwsKey(emulator.aws, 'polykms demo'),
        gcp: await createGcpKey(emulator.gcp, 'polykms-demo', 'orders'),
        azure: await createAzureKey(emulator.azure, 'polykms-demo-orders'),
      }),
      calls: (cloud) => control.calls({ cloud }).total,
      outage: (cloud) => {
        const fault = control.injectFault({ cloud, kind: 'unavailable' });
        return () => control.clearFault(fault);
      },
      disableAwsKey: (uri) => disableAwsKey(emulator.aws, uri),
      stop: () => emulator.stop(),
    };
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}
