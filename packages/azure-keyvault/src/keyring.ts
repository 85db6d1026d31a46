import type { CryptographyClientOptions } from '@azure/keyvault-keys';
import { InvalidArgumentError, KmsKeyring } from '@polykms/envelope/driver';
import { AzureClients, type AzureTokenCredential } from './clients.js';
import { type AzureKey, AzureKeyVaultDriver } from './driver.js';
import { PROVIDER_ID } from './error-table.js';
import { parseKeyId, sameKey } from './key-id.js';
import type { WrapAlgorithm } from './key-operation.js';

export interface AzureKeyVaultKeyringOptions {
  /** `https://<vault-host>/keys/<name>[/<version>]`; without a version, new data keys use the current one. */
  readonly keyId: string;
  /** Default: `DefaultAzureCredential` (environment, workload identity, managed identity, Azure CLI…). */
  readonly credential?: AzureTokenCredential | undefined;
  /** Passed to the official clients (retries, TLS, `serviceVersion`…). */
  readonly clientOptions?: CryptographyClientOptions | undefined;
  /** Deadline per Key Vault call, in milliseconds. */
  readonly timeoutMs?: number | undefined;
  /**
   * RSA-OAEP-256 for RSA keys, A256KW for Managed HSM `oct-HSM` keys. Default: looked up once
   * from the key's type (needs the `get` permission; without it RSA-OAEP-256 is assumed).
   */
  readonly wrapAlgorithm?: WrapAlgorithm | undefined;
}

function checkAlgorithm(algorithm: unknown): WrapAlgorithm | undefined {
  if (algorithm === undefined || algorithm === 'RSA-OAEP-256' || algorithm === 'A256KW') return algorithm;
  throw new InvalidArgumentError(
    `wrapAlgorithm must be 'RSA-OAEP-256' or 'A256KW', not ${String(algorithm)}`,
    {
      provider: PROVIDER_ID,
    },
  );
}

function keyringOptions(options: AzureKeyVaultKeyringOptions) {
  const keyId = typeof options?.keyId === 'string' ? parseKeyId(options.keyId) : undefined;
  if (keyId === undefined) {
    throw new InvalidArgumentError(
      'keyId must be a Key Vault key id: https://<vault-host>/keys/<name>[/<version>]',
      {
        provider: PROVIDER_ID,
      },
    );
  }
  const pinned = keyId.version?.toLowerCase();
  const ofThisKey = (key: AzureKey) => sameKey(key, keyId);
  return {
    driver: new AzureKeyVaultDriver({
      clients: new AzureClients(options.credential, options.clientOptions),
      timeoutMs: options.timeoutMs,
      keyId,
      wrapAlgorithm: checkAlgorithm(options.wrapAlgorithm),
    }),
    timeoutMs: options.timeoutMs,
    policy: {
      mode: 'strict' as const,
      keyId: keyId.text,
      sealedWith: (key: AzureKey) =>
        ofThisKey(key) && (pinned === undefined || key.version.toLowerCase() === pinned),
      opens: ofThisKey,
    },
  };
}

/**
 * A keyring over one Key Vault key. It wraps data keys with wrapKey, and pins the key version
 * the vault used in the EDK, because Azure ciphertexts do not name it. It unwraps only EDKs of
 * its own key (any version), and checks the vault's answer names that exact version.
 */
export class AzureKeyVaultKeyring extends KmsKeyring<AzureKey> {
  constructor(options: AzureKeyVaultKeyringOptions) {
    super(keyringOptions(options));
  }
}
