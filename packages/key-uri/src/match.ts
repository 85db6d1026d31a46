import type { EncryptedDataKey } from '@polykms/envelope';
import type { KeyUri } from './parse.js';
import { keyringSchemeOf } from './registry.js';

/**
 * Whether the header says this EDK was made with the key the URI names: what `migrate` uses to
 * recognise a message that already has its target recipients, without any KMS call. `undefined`
 * when the scheme cannot tell (`local://` keys, whose EDKs name the key by the namespace and
 * name inside the key file).
 */
export function encryptedDataKeyMatchesUri(key: KeyUri, edk: EncryptedDataKey): boolean | undefined {
  const scheme = keyringSchemeOf(key.scheme, key.uri);
  return scheme.edkMatchesKey ? scheme.edkMatchesKey(key, edk) : undefined;
}
