import type { AwsEndpoint } from './aws/front-end.js';
import type { AzureEndpoint } from './azure/front-end.js';
import type { GcpEndpoint } from './gcp/front-end.js';

export interface EnvSources {
  readonly aws?: AwsEndpoint | undefined;
  readonly gcp?: GcpEndpoint | undefined;
  readonly azure?: AzureEndpoint | undefined;
  /** File holding the Azure front end's CA certificate, for NODE_EXTRA_CA_CERTS. */
  readonly azureCaFile?: string | undefined;
  readonly adminUrl?: string | undefined;
}

/**
 * The environment variables that point unchanged SDKs (and polykms itself) at the emulator.
 * AWS and Azure read theirs natively; the Google client has no endpoint variable, so the GCP
 * pair is ours and `METADATA_SERVER_DETECTION=none` stops its metadata-server probe.
 */
export function emulatorEnv(sources: EnvSources): Record<string, string> {
  const env: Record<string, string> = {};
  // AWS_ENDPOINT_URL_KMS, AWS_REGION and dummy credentials, as the AWS front end defines them.
  if (sources.aws) Object.assign(env, sources.aws.environment);
  if (sources.gcp) {
    const host = sources.gcp.host.includes(':') ? `[${sources.gcp.host}]` : sources.gcp.host;
    env['POLYKMS_GCP_KMS_ENDPOINT'] = `${host}:${sources.gcp.port}`;
    env['POLYKMS_GCP_PROJECT'] = sources.gcp.projectId;
    env['POLYKMS_GCP_LOCATION'] = sources.gcp.location;
    env['METADATA_SERVER_DETECTION'] = 'none';
  }
  if (sources.azure) {
    env['AZURE_KEYVAULT_URL'] = sources.azure.vaultUrl;
    env['IDENTITY_ENDPOINT'] = sources.azure.identityEndpoint;
    env['IDENTITY_HEADER'] = sources.azure.identityHeader;
    if (sources.azureCaFile) env['NODE_EXTRA_CA_CERTS'] = sources.azureCaFile;
  }
  if (sources.adminUrl) env['POLYKMS_EMULATOR_ADMIN_URL'] = sources.adminUrl;
  return env;
}

/** `export NAME='value'` lines for a POSIX shell. */
export function exportLines(env: Readonly<Record<string, string>>): string {
  const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;
  return Object.entries(env)
    .map(([name, value]) => `export ${name}=${quote(value)}\n`)
    .join('');
}
