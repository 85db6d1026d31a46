/**
 * Library class names a keyring's message may start with, in the words a CLI user knows: the
 * class is how code names the thing, the URI scheme or option is how a shell user does.
 */
const CLASS_WORDS: readonly (readonly [RegExp, string])[] = [
  [/\bAwsKmsDiscoveryKeyring\b/g, '--discovery aws-kms://…'],
  [/\bGcpKmsDiscoveryKeyring\b/g, '--discovery gcp-kms://…'],
  [/\bAzureKeyVaultDiscoveryKeyring\b/g, '--discovery azure-kv://…'],
  [/\bAwsKmsKeyring\b/g, 'aws-kms key'],
  [/\bGcpKmsKeyring\b/g, 'gcp-kms key'],
  [/\bAzureKeyVaultKeyring\b/g, 'azure-kv key'],
  [/\bRawAesKeyring\b/g, 'local AES key'],
  [/\bRawRsaKeyring\b/g, 'local RSA key'],
  [/\bMultiKeyring\b/g, 'the keys given'],
  [/\bCachingKeyring\b/g, 'the data-key cache'],
];

/** An error message with library class names replaced by what the user typed to get them. */
export function inUserWords(message: string): string {
  return CLASS_WORDS.reduce((text, [name, words]) => text.replace(name, words), message);
}
