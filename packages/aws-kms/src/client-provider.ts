import { KMSClient } from '@aws-sdk/client-kms';

/** Gives the KMS client for a region (EDKs name their key's region; a client only talks to one). */
export type ClientProvider = (region: string) => KMSClient;

/**
 * The default: one client per region, with the SDK's default credential chain (environment,
 * shared config/SSO, web identity, container and instance metadata), created on first use.
 */
export function defaultClientProvider(): ClientProvider {
  const clients = new Map<string, KMSClient>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = new KMSClient({ region });
      clients.set(region, client);
    }
    return client;
  };
}
