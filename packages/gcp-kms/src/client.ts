import { KeyManagementServiceClient } from '@google-cloud/kms';
import * as grpc from '@grpc/grpc-js';
import { InvalidArgumentError } from '@polykms/envelope/driver';

/**
 * Set by `polykms-emulator` (`host:port`). The Google client has no endpoint variable of its own,
 * so without this a CLI or app could not be pointed at the emulator by environment alone.
 */
export const EMULATOR_ENDPOINT_VARIABLE = 'POLYKMS_GCP_KMS_ENDPOINT';

const LOOPBACK = /^(127(?:\.\d{1,3}){3}|localhost|\[::1\]):(\d{1,5})$/;

/**
 * The default client: Application Default Credentials against Google, or — when
 * POLYKMS_GCP_KMS_ENDPOINT is set — plaintext gRPC to a local emulator. Only loopback addresses
 * are accepted there, so the variable can never send data keys unencrypted across a network.
 */
export function defaultClient(env: NodeJS.ProcessEnv = process.env): KeyManagementServiceClient {
  const endpoint = env[EMULATOR_ENDPOINT_VARIABLE];
  if (endpoint === undefined || endpoint === '') return new KeyManagementServiceClient();
  const match = LOOPBACK.exec(endpoint);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) {
    throw new InvalidArgumentError(
      `${EMULATOR_ENDPOINT_VARIABLE} must be a loopback host:port (it selects an unauthenticated, unencrypted emulator), got "${endpoint}"`,
    );
  }
  return new KeyManagementServiceClient({
    apiEndpoint: (match[1] as string).replace(/^\[(.*)\]$/, '$1'),
    port,
    sslCreds: grpc.credentials.createInsecure(),
  });
}

/** The caller's client, or the default one made on first use. */
export function lazyClient(given: KeyManagementServiceClient | undefined): () => KeyManagementServiceClient {
  let client = given;
  return () => {
    client ??= defaultClient();
    return client;
  };
}
