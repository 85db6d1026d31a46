import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptionFailedError, type EncryptedDataKey, type Keyring } from '@polykms/envelope';

/** Whether `edk` was written by `aesTestKeyring(name)`. */
export function isTestKeyringEdk(name: string, edk: EncryptedDataKey): boolean {
  return edk.providerId === 'test' && Buffer.from(edk.providerInfo).toString() === name;
}

/** A small AES-GCM keyring for message-layer tests; the envelope package has no keyring of its own. */
export function aesTestKeyring(name: string, kek: Uint8Array = randomBytes(32)): Keyring {
  return {
    description: `test ${name}`,
    async wrap(request) {
      const dataKey = request.dataKey ? undefined : randomBytes(request.suite.keyLength);
      const key = request.dataKey ?? dataKey!;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', kek, iv);
      const ciphertext = Buffer.concat([iv, cipher.update(key), cipher.final(), cipher.getAuthTag()]);
      return {
        dataKey,
        encryptedDataKeys: [{ providerId: 'test', providerInfo: Buffer.from(name), ciphertext }],
      };
    },
    async unwrap(request) {
      const mine = request.encryptedDataKeys.find((edk) => isTestKeyringEdk(name, edk));
      if (!mine) return null;
      const c = Buffer.from(mine.ciphertext);
      if (c.length < 28) throw new DecryptionFailedError();
      const decipher = createDecipheriv('aes-256-gcm', kek, c.subarray(0, 12));
      decipher.setAuthTag(c.subarray(c.length - 16));
      try {
        return {
          dataKey: Buffer.concat([decipher.update(c.subarray(12, c.length - 16)), decipher.final()]),
          encryptedDataKey: mine,
        };
      } catch {
        throw new DecryptionFailedError();
      }
    },
  };
}

/** Hands out one known data key, so a test can derive the message keys on its own. */
export function fixedKeyring(dataKey: Uint8Array, edkCount = 1): Keyring {
  const edks = Array.from({ length: edkCount }, (_, i) => ({
    providerId: 'fixed',
    providerInfo: new Uint8Array([i]),
    ciphertext: new Uint8Array([1]),
  }));
  return {
    description: 'fixed',
    async wrap() {
      return { dataKey: Buffer.from(dataKey), encryptedDataKeys: edks };
    },
    async unwrap(request) {
      const mine = request.encryptedDataKeys.find((e) => e.providerId === 'fixed');
      return mine ? { dataKey: Buffer.from(dataKey), encryptedDataKey: mine } : null;
    },
  };
}
