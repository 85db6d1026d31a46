import type { EncryptedDataKey, Keyring, Recipient } from '@polykms/envelope';
import { type KeyUri, encryptedDataKeyMatchesUri, keyringFromUri, parseKeyUri } from '@polykms/key-uri';
import { CliError } from './cli-error.js';
import { printable } from './io/terminal-text.js';

/**
 * A key named on the command line as the library's rewrap policy sees it (see `Recipient`): its
 * URI as its name; for a local key, the `namespace/name` label its EDKs carry, and its keyring,
 * which is the only way a re-encryption can wrap for it again.
 */
export interface NamedKey extends Recipient {
  readonly uri: string;
  readonly localKeyring: Keyring | undefined;
}

interface LocalIdentity {
  readonly namespace: string;
  readonly name: string;
  /** The keyring's own rule for "this EDK is mine" (`RawAesKeyring`, `RawRsaKeyring`). */
  readonly names: (edk: EncryptedDataKey) => boolean;
}

function localIdentityOf(keyring: Keyring): LocalIdentity | undefined {
  const { keyNamespace, keyName, namesEncryptedDataKey } = keyring as Partial<
    Record<'keyNamespace' | 'keyName' | 'namesEncryptedDataKey', unknown>
  >;
  if (typeof keyNamespace !== 'string' || typeof keyName !== 'string') return undefined;
  if (typeof namesEncryptedDataKey !== 'function') return undefined;
  return { namespace: keyNamespace, name: keyName, names: (edk) => namesEncryptedDataKey.call(keyring, edk) };
}

async function namedKeyOf(key: KeyUri): Promise<NamedKey> {
  if (key.scheme !== 'local') {
    return {
      uri: key.uri,
      name: printable(key.uri),
      localKeyring: undefined,
      matches: (edk) => encryptedDataKeyMatchesUri(key, edk) === true,
    };
  }
  // The key file holds the namespace and name its EDKs carry.
  const keyring = await keyringFromUri(key);
  const identity = localIdentityOf(keyring);
  if (!identity)
    return { uri: key.uri, name: printable(key.uri), localKeyring: keyring, matches: () => false };
  return {
    uri: key.uri,
    name: printable(key.uri),
    label: `${printable(identity.namespace)}/${printable(identity.name)}`,
    localKeyring: keyring,
    // The same rule the keyring's unwrap uses, so rewrap and migrate can never disagree with it.
    matches: identity.names,
  };
}

export interface RecipientsOptions {
  /**
   * The flag these keys were given with, when they must name one key in particular (a recipient
   * to find in a header): an AWS alias is refused there, since a header names the key, never the alias.
   */
  readonly keyInParticular?: string;
}

export async function recipientsOf(
  uris: readonly string[],
  options: RecipientsOptions = {},
): Promise<NamedKey[]> {
  const keys = uris.map((uri) => parseKeyUri(uri));
  const flag = options.keyInParticular;
  for (const key of keys) {
    if (flag && key.scheme === 'aws-kms' && key.kind === 'alias') {
      throw new CliError(
        `${flag} ${printable(key.uri)} is an AWS alias: a message names the key an alias pointed to, never ` +
          'the alias, so it matches no recipient. Give the key ARN (`polykms inspect FILE` lists them).',
      );
    }
  }
  return Promise.all(keys.map(namedKeyOf));
}
