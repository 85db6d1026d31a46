import type { Keyring } from '@polykms/envelope';

/**
 * A keyring that always hands out the same data key with the same EDK (no wrapping at all), so
 * that two encryptions of the same plaintext under a fixed message id (see `fixedMessageId`) can
 * be compared byte for byte. Unwraps only its own EDK. Tests only.
 */
export function fixedKeyring(dataKey: Uint8Array): Keyring {
  const edk = { providerId: 'fixed', providerInfo: Buffer.from('fixed'), ciphertext: Buffer.from('k') };
  return {
    description: 'fixed test key',
    async wrap(request) {
      return { dataKey: request.dataKey ? undefined : Buffer.from(dataKey), encryptedDataKeys: [edk] };
    },
    async unwrap(request) {
      const mine = request.encryptedDataKeys.find((e) => e.providerId === 'fixed');
      return mine ? { dataKey: Buffer.from(dataKey), encryptedDataKey: mine } : null;
    },
  };
}

/** The message id the mocked `newMessageId` returns, so that output is reproducible. */
export const FIXED_MESSAGE_ID = Buffer.alloc(32, 0x42);
