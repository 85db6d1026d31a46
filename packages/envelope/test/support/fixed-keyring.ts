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

/** A `vi.mock` factory for `src/crypto/message-id.js`: every message gets `FIXED_MESSAGE_ID`. */
export function fixedMessageIdModule() {
  return { newMessageId: () => Buffer.from(FIXED_MESSAGE_ID) };
}

type SignatureModule = typeof import('../../src/crypto/signature.js');

/**
 * A `vi.mock` factory for `src/crypto/signature.js`: one signing key per curve for the whole file,
 * so that two signed messages differ only in their footers (ECDSA signatures are randomized).
 */
export async function fixedSigningKeyModule(importOriginal: () => Promise<SignatureModule>) {
  const actual = await importOriginal();
  const keys = new Map<string, ReturnType<SignatureModule['generateSigningKey']>>();
  return {
    ...actual,
    generateSigningKey: (spec: Parameters<SignatureModule['generateSigningKey']>[0]) => {
      if (!keys.has(spec.curve)) keys.set(spec.curve, actual.generateSigningKey(spec));
      return keys.get(spec.curve)!;
    },
  };
}
