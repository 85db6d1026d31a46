import { type EncryptedDataKeyInfo, inspect } from '@polykms/envelope';
import { type KeysetClaims, readKeysetClaims } from './keyset-context.js';

export interface KeysetInfo extends KeysetClaims {
  /** Hex. */
  readonly messageId: string;
  readonly recipients: readonly EncryptedDataKeyInfo[];
}

/**
 * What a keyset message's header says, with no key and no KMS call. NOTHING here is authenticated
 * until the keyset is opened: anyone who can write the file can write any of it.
 */
export function inspectKeyset(message: Uint8Array): KeysetInfo {
  const info = inspect(message);
  return {
    ...readKeysetClaims(info.encryptionContext),
    messageId: info.messageId,
    recipients: info.encryptedDataKeys,
  };
}
