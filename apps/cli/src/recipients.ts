import type { EncryptedDataKey, Keyring } from '@polykms/envelope';
import { type KeyUri, encryptedDataKeyMatchesUri, keyringFromUri, parseKeyUri } from '@polykms/key-uri';

/** A key named on the command line, and how to recognise its EDKs in a header without a KMS call. */
export interface Recipient {
  readonly uri: string;
  matches(edk: EncryptedDataKey): boolean;
}

/** Raw AES provider info is the key name then 20 bytes (tag bits, IV length, IV); raw RSA's is the name. */
const RAW_AES_INFO_SUFFIX = 4 + 4 + 12;

function localMatcher(keyring: Keyring): (edk: EncryptedDataKey) => boolean {
  const { keyNamespace, keyName } = keyring as Partial<Record<'keyNamespace' | 'keyName', unknown>>;
  if (typeof keyNamespace !== 'string' || typeof keyName !== 'string') return () => false;
  const name = Buffer.from(keyName, 'utf8');
  return (edk) => {
    if (edk.providerId !== keyNamespace) return false;
    const info = edk.providerInfo;
    const sized = info.length === name.length || info.length === name.length + RAW_AES_INFO_SUFFIX;
    return sized && Buffer.from(info.subarray(0, name.length)).equals(name);
  };
}

async function recipientOf(key: KeyUri): Promise<Recipient> {
  if (key.scheme !== 'local')
    return { uri: key.uri, matches: (edk) => encryptedDataKeyMatchesUri(key, edk) === true };
  // The key file holds the namespace and name its EDKs carry.
  return { uri: key.uri, matches: localMatcher(await keyringFromUri(key)) };
}

export async function recipientsOf(uris: readonly string[]): Promise<Recipient[]> {
  return Promise.all(uris.map((uri) => recipientOf(parseKeyUri(uri))));
}

export function matchesAny(recipients: readonly Recipient[], edk: EncryptedDataKey): boolean {
  return recipients.some((r) => r.matches(edk));
}
