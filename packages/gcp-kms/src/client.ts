import { KeyManagementServiceClient } from '@google-cloud/kms';
import * as grpc from '@grpc/grpc-js';
import { InvalidArgumentError } from '@polykms/envelope/driver';

/**
 * Set by `polykms-emulator` (`host:port`). The Google client has no endpoint variable of its own,
 * so without this a CLI or app could not be pointed at the emulator by environment alone.
 */
export const EMULATOR_ENDPOINT_VARIABLE = 'POLYKMS_GCP_KMS_ENDPOINT';

/**
 * Set to `1` by `polykms-emulator` when it advertises a host that is not loopback (`--advertise-host`,
 * an emulator in another container of a CI job): only then may the emulator endpoint be remote.
 */
export const EMULATOR_REMOTE_VARIABLE = 'POLYKMS_GCP_KMS_EMULATOR_REMOTE';

const LOOPBACK = /^(127(?:\.\d{1,3}){3}|localhost|\[::1\]):(\d{1,5})$/;
const HOST_PORT = /^([A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;

/**
 * The default client: Application Default Credentials against Google, or — when
 * POLYKMS_GCP_KMS_ENDPOINT is set — plaintext gRPC to an emulator. A loopback address is
 * accepted as it is; any other host only with POLYKMS_GCP_KMS_EMULATOR_REMOTE=1 beside it (the
 * emulator exports both), so that the variable alone can never send data keys unencrypted across
 * a network.
 */
export function defaultClient(env: NodeJS.ProcessEnv = process.env): KeyManagementServiceClient {
  const endpoint = env[EMULATOR_ENDPOINT_VARIABLE];
  if (endpoint === undefined || endpoint === '') return new KeyManagementServiceClient();
  const remote = env[EMULATOR_REMOTE_VARIABLE] === '1';
  const match = (remote ? HOST_PORT : LOOPBACK).exec(endpoint);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) {
    throw new InvalidArgumentError(
      remote
        ? `${EMULATOR_ENDPOINT_VARIABLE} must be host:port, got "${endpoint}"`
        : `${EMULATOR_ENDPOINT_VARIABLE} must be a loopback host:port (it selects an unauthenticated, unencrypted emulator), got "${endpoint}"; ` +
            `an emulator on another host also sets ${EMULATOR_REMOTE_VARIABLE}=1`,
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
