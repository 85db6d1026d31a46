import type { KeyUriOptions } from '@polykms/key-uri';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

function hostOf(endpoint: string): { host: string; port: number | undefined } {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(endpoint);
  return { host: match?.[1] ?? endpoint, port: match?.[2] ? Number(match[2]) : undefined };
}

/** POLYKMS_GCP_KMS_ENDPOINT=host:port: the Google client has no endpoint variable of its own. */
async function gcpSettings(env: NodeJS.ProcessEnv): Promise<KeyUriOptions['gcp']> {
  const endpoint = env['POLYKMS_GCP_KMS_ENDPOINT'];
  if (!endpoint) return undefined;
  const { host, port } = hostOf(endpoint);
  const { KeyManagementServiceClient } = await import('@google-cloud/kms');
  if (!LOOPBACK.test(host)) return { client: new KeyManagementServiceClient({ apiEndpoint: host, port }) };
  // A loopback endpoint is the emulator: plaintext gRPC, no credentials, no metadata-server probe.
  const grpc = await import('@grpc/grpc-js');
  process.env['METADATA_SERVER_DETECTION'] ??= 'none';
  const client = new KeyManagementServiceClient({
    apiEndpoint: host.replace(/^\[|\]$/g, ''),
    port,
    sslCreds: grpc.credentials.createInsecure(),
  });
  return { client };
}

/**
 * A vault on loopback is the emulator: its 401 challenge names vault.azure.net, which a loopback
 * host can never match, so that check is skipped there (and only there). Its CA certificate comes
 * from NODE_EXTRA_CA_CERTS and the token from IDENTITY_ENDPOINT, both read by Node and the SDK.
 */
function azureSettings(env: NodeJS.ProcessEnv): KeyUriOptions['azure'] {
  const vaultUrl = env['AZURE_KEYVAULT_URL'];
  if (!vaultUrl) return undefined;
  let host: string;
  try {
    host = new URL(vaultUrl).hostname;
  } catch {
    return undefined;
  }
  return LOOPBACK.test(host) ? { clientOptions: { disableChallengeResourceVerification: true } } : undefined;
}

/**
 * Provider settings from the environment, so that the same command runs against the emulator
 * (`polykms emulator` prints these variables) and against the real clouds, where none is set and
 * each provider uses its cloud's default endpoint and credential chain.
 *
 * - AWS: the SDK itself reads AWS_ENDPOINT_URL_KMS, AWS_REGION and the credential variables.
 * - Google Cloud: POLYKMS_GCP_KMS_ENDPOINT (host:port), otherwise Application Default Credentials.
 * - Azure: AZURE_KEYVAULT_URL on loopback marks the emulator; DefaultAzureCredential otherwise.
 *
 * Only the providers in `schemes` are set up, so a command that uses local keys loads no cloud SDK.
 */
export async function providerSettingsFromEnv(
  schemes: ReadonlySet<string>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<KeyUriOptions> {
  return {
    gcp: schemes.has('gcp-kms') ? await gcpSettings(env) : undefined,
    azure: schemes.has('azure-kv') ? azureSettings(env) : undefined,
  };
}

/** The schemes of key URIs and discovery filters, for providerSettingsFromEnv. */
export function schemesOf(uris: readonly string[]): Set<string> {
  return new Set(uris.map((uri) => /^([a-z0-9-]+):\/\//i.exec(uri)?.[1]?.toLowerCase() ?? ''));
}
