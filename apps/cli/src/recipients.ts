import type { Keyring, Recipient } from '@polykms/envelope';
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

/** Raw AES provider info is the key name then 20 bytes (tag bits, IV length, IV); raw RSA's is the name. */
const RAW_AES_INFO_SUFFIX = 4 + 4 + 12;

function localIdentityOf(keyring: Keyring): { namespace: string; name: string } | undefined {
  const { keyNamespace, keyName } = keyring as Partial<Record<'keyNamespace' | 'keyName', unknown>>;
  if (typeof keyNamespace !== 'string' || typeof keyName !== 'string') return undefined;
  return { namespace: keyNamespace, name: keyName };
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
  const name = Buffer.from(identity.name, 'utf8');
  return {
    uri: key.uri,
    name: printable(key.uri),
    label: `${printable(identity.namespace)}/${printable(identity.name)}`,
    localKeyring: keyring,
    matches: (edk) => {
      if (edk.providerId !== identity.namespace) return false;
      const info = edk.providerInfo;
      const sized = info.length === name.length || info.length === name.length + RAW_AES_INFO_SUFFIX;
      return sized && Buffer.from(info.subarray(0, name.length)).equals(name);
    },
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
