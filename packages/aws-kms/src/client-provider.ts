import { KMSClient } from '@aws-sdk/client-kms';

/** Gives the KMS client for a region (EDKs name their key's region; a client only talks to one). */
export type ClientProvider = (region: string) => KMSClient;

/** Regions whose clients the default provider keeps; the least recently used is dropped beyond. */
const MAX_CACHED_REGIONS = 64;

/**
 * The default: one client per region, with the SDK's default credential chain (environment,
 * shared config/SSO, web identity, container and instance metadata), created on first use. At
 * most 64 are kept: regions come from messages, and a message can name regions that do not exist.
 */
export function defaultClientProvider(): ClientProvider {
  const clients = new Map<string, KMSClient>();
  return (region) => {
    let client = clients.get(region);
    if (client) {
      clients.delete(region);
    } else {
      client = new KMSClient({ region });
      const [oldest] = clients.keys();
      if (clients.size >= MAX_CACHED_REGIONS && oldest !== undefined) {
        // Not destroyed: a call may still be using it. Once idle it is collected (a made-up
        // region never had a connection; a real one's idle connection is closed by the server).
        clients.delete(oldest);
      }
    }
    clients.set(region, client);
    return client;
  };
}
