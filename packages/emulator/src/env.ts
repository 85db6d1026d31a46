import type { CloudEndpoints } from './clouds.js';

export interface EnvSources extends Partial<CloudEndpoints> {
  readonly adminUrl?: string | undefined;
  readonly adminToken?: string | undefined;
  /** Seeded keys: variable name → key URI. */
  readonly keys?: Readonly<Record<string, string>> | undefined;
}

/**
 * The environment variables that point unchanged SDKs, CLIs (and polykms itself) at the emulator.
 * Every path is absolute, so the variables work from any working directory. AWS is plain HTTP, so
 * no CA bundle variable is exported for it: AWS_CA_BUNDLE and REQUESTS_CA_BUNDLE *replace* the
 * system trust store, which would break every other HTTPS call of the shell; NODE_EXTRA_CA_CERTS
 * only adds the emulator's leaf certificate.
 */
export function emulatorEnv(sources: EnvSources): Record<string, string> {
  const env: Record<string, string> = {};
  // AWS_ENDPOINT_URL_KMS, AWS_REGION / AWS_DEFAULT_REGION and dummy credentials.
  if (sources.aws) Object.assign(env, sources.aws.environment);
  if (sources.gcp) Object.assign(env, sources.gcp.environment);
  if (sources.azure) {
    env['AZURE_KEYVAULT_URL'] = sources.azure.vaultUrl;
    env['IDENTITY_ENDPOINT'] = sources.azure.identityEndpoint;
    env['IDENTITY_HEADER'] = sources.azure.identityHeader;
    if (sources.azure.caFile) {
      env['NODE_EXTRA_CA_CERTS'] = sources.azure.caFile;
      env['POLYKMS_EMULATOR_CA_FILE'] = sources.azure.caFile;
    }
  }
  if (sources.adminUrl) env['POLYKMS_EMULATOR_ADMIN_URL'] = sources.adminUrl;
  if (sources.adminToken) env['POLYKMS_EMULATOR_ADMIN_TOKEN'] = sources.adminToken;
  Object.assign(env, sources.keys);
  return env;
}

/** `export NAME='value'` lines for a POSIX shell. */
export function exportLines(env: Readonly<Record<string, string>>): string {
  const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;
  return Object.entries(env)
    .map(([name, value]) => `export ${name}=${quote(value)}\n`)
    .join('');
}
