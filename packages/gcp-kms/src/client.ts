import { KeyManagementServiceClient } from '@google-cloud/kms';

/**
 * The client a keyring uses: the caller's, or one made on first use with Google's default
 * credential chain (Application Default Credentials).
 */
export function lazyClient(given: KeyManagementServiceClient | undefined): () => KeyManagementServiceClient {
  let client = given;
  return () => {
    client ??= new KeyManagementServiceClient();
    return client;
  };
}
