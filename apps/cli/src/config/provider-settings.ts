import type { KeyUriOptions } from '@polykms/key-uri';

import { CliError } from '../cli-error.js';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * Every KMS call gets a deadline: the cloud clients retry an unavailable service on their own
 * schedule (Google's for up to 10 minutes), which is not what someone at a terminal wants.
 */
const DEFAULT_KMS_TIMEOUT_MS = 30_000;

function kmsTimeout(env: NodeJS.ProcessEnv): number {
  const text = env['POLYKMS_KMS_TIMEOUT_MS'];
  if (text === undefined || text === '') return DEFAULT_KMS_TIMEOUT_MS;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms < 1) {
    throw new CliError(`POLYKMS_KMS_TIMEOUT_MS must be a positive number of milliseconds, got '${text}'`);
  }
  return ms;
}

/**
 * A vault on loopback is the emulator: its 401 challenge names vault.azure.net, which a loopback
 * host can never match, so that check is skipped there (and only there). Its CA certificate comes
 * from NODE_EXTRA_CA_CERTS and the token from IDENTITY_ENDPOINT, both read by Node and the SDK.
 */
function azureEmulatorOptions(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const vaultUrl = env['AZURE_KEYVAULT_URL'];
  if (!vaultUrl) return {};
  let host: string;
  try {
    host = new URL(vaultUrl).hostname;
  } catch {
    return {};
  }
  return LOOPBACK.test(host) ? { clientOptions: { disableChallengeResourceVerification: true } } : {};
}

/**
 * Provider settings from the environment, so that the same command runs against the emulator
 * (`polykms emulator` prints these variables) and against the real clouds, where none is set and
 * each provider uses its cloud's default endpoint and credential chain.
 *
 * - AWS: the SDK itself reads AWS_ENDPOINT_URL_KMS, AWS_REGION and the credential variables.
 * - Google Cloud: the keyring itself follows POLYKMS_GCP_KMS_ENDPOINT to a loopback emulator,
 *   otherwise Application Default Credentials.
 * - Azure: AZURE_KEYVAULT_URL on loopback marks the emulator; DefaultAzureCredential otherwise.
 * - All: POLYKMS_KMS_TIMEOUT_MS, the deadline of each KMS call (default 30 s).
 */
export function providerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): KeyUriOptions {
  const timeoutMs = kmsTimeout(env);
  return {
    aws: { timeoutMs },
    gcp: { timeoutMs },
    azure: { timeoutMs, ...azureEmulatorOptions(env) },
  };
}
