import type { KeyUriOptions } from '@polykms/key-uri';

/**
 * Provider settings from the environment, so that the same command runs against the emulator
 * (whose `env` sets these variables) and against the real clouds (where none is set and each
 * provider uses its cloud's default endpoint and credential chain).
 *
 * - AWS: the SDK itself reads AWS_ENDPOINT_URL_KMS, AWS_REGION and the credential variables.
 */
export function providerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): KeyUriOptions {
  void env;
  return {};
}
