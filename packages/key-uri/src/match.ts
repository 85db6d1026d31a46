import type { EncryptedDataKey } from '@polykms/envelope';
import type { KeyUri } from './parse.js';

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * Whether the header says this EDK was made with the key the URI names: what `migrate` uses to
 * recognise a message that already has its target recipients, without any KMS call. `undefined`
 * for `local://` keys, whose EDKs name the key by the namespace and name inside the key file.
 */
export function encryptedDataKeyMatchesUri(key: KeyUri, edk: EncryptedDataKey): boolean | undefined {
  if (key.scheme === 'local') return undefined;
  if (edk.providerId !== key.scheme) return false;
  const info = utf8.decode(edk.providerInfo);
  switch (key.scheme) {
    case 'aws-kms':
      // An alias names no key in particular: the EDK holds the key ARN that the alias pointed to.
      return key.kind === 'key' && info === key.keyId;
    case 'gcp-kms':
      return info.startsWith(`${key.keyName}/cryptoKeyVersions/`);
    case 'azure-kv': {
      if (key.version) return info.toLowerCase() === key.keyId.toLowerCase();
      return info.toLowerCase().startsWith(`${key.keyId.toLowerCase()}/`);
    }
  }
}
