import { createDecipheriv, hkdfSync } from 'node:crypto';
import {
  type EncryptedDataKey,
  type Keyring,
  type UnwrapRequest,
  decrypt,
  encrypt,
  parseHeader,
} from '@polykms/envelope';
import { describe, expect, it } from 'vitest';
import { KeysetKeyring, createKeyset, openKeyset, retireKeysetVersion, rotateKeyset } from '../src/index.js';
import { aesKeyring } from './support.js';

// Written from FORMAT.md alone, with node:crypto: nothing here imports the keyset package's code
// for parsing, derivation or AAD. It stands in for another ESDK implementing the keyring.

/** FORMAT.md, "Keyset plaintext": version number → key. */
function versionKeysOf(plaintext: Uint8Array): { id: Buffer; keys: Map<number, Buffer> } {
  const bytes = Buffer.from(plaintext);
  expect(bytes.subarray(0, 4).toString('latin1')).toBe('PKKS');
  expect(bytes[4]).toBe(1);
  const n = bytes.readUInt16BE(25);
  expect(bytes.length).toBe(27 + 45 * n);
  const keys = new Map<number, Buffer>();
  for (let i = 0; i < n; i++) {
    keys.set(bytes.readUInt32BE(27 + 45 * i), Buffer.from(bytes.subarray(40 + 45 * i, 72 + 45 * i)));
  }
  return { id: Buffer.from(bytes.subarray(5, 21)), keys };
}

/** The ESDK context serialization, as FORMAT.md restates it. */
function serializeContext(context: Record<string, string>): Buffer {
  const pairs = Object.entries(context)
    .map(([k, v]) => [Buffer.from(k, 'utf8'), Buffer.from(v, 'utf8')] as const)
    .sort(([a], [b]) => Buffer.compare(a, b));
  if (pairs.length === 0) return Buffer.alloc(0);
  const parts: Buffer[] = [u16(pairs.length)];
  for (const [k, v] of pairs) parts.push(u16(k.length), k, u16(v.length), v);
  return Buffer.concat(parts);
}
function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

/** FORMAT.md, "Keyset EDK". */
function openEdk(edk: EncryptedDataKey, keys: Map<number, Buffer>, context: Record<string, string>): Buffer {
  expect(edk.providerId).toBe('polykms-keyset');
  const info = Buffer.from(edk.providerInfo);
  expect(info.length).toBe(65);
  expect(info[16]).toBe(1);
  const version = info.readUInt32BE(17);
  const salt = info.subarray(21, 53);
  const iv = info.subarray(53, 65);
  const versionKey = keys.get(version);
  if (!versionKey) throw new Error(`no version ${version}`);
  const label = Buffer.concat([
    Buffer.from('polykms-keyset/v1 wrapping key', 'ascii'),
    info.subarray(0, 16),
    info.subarray(17, 21),
  ]);
  const wrappingKey = Buffer.from(hkdfSync('sha256', versionKey, salt, label, 32));
  const ciphertext = Buffer.from(edk.ciphertext);
  const decipher = createDecipheriv('aes-256-gcm', wrappingKey, iv, { authTagLength: 16 });
  decipher.setAAD(Buffer.concat([info, serializeContext(context)]));
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  return Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
}

/** Hands out one known data key: lets `decrypt` confirm it is the message's. */
function knownDataKey(dataKey: Buffer): Keyring {
  return {
    description: 'known data key',
    wrap: () => Promise.reject(new Error('decrypt only')),
    unwrap: async (request: UnwrapRequest) => {
      const edk = request.encryptedDataKeys.find((e) => e.providerId === 'polykms-keyset');
      return edk ? { dataKey: Buffer.from(dataKey), encryptedDataKey: edk } : null;
    },
  };
}

describe('an independent implementation of FORMAT.md', () => {
  it('opens keyset-wrapped EDKs of every version with node:crypto alone, and the data key decrypts the message', async () => {
    const kek = aesKeyring('kek');
    const context = { tenant: 'acme', 'a-longer-key': 'é' };
    const plaintext = Buffer.from('a record wrapped under a keyset version');
    const g1 = await createKeyset({ keyring: kek });
    const messages: Uint8Array[] = [];
    let bytes = g1;
    for (let i = 0; i < 3; i++) {
      const keyset = await openKeyset(bytes, { keyring: kek });
      messages.push(
        (await encrypt(plaintext, { keyring: new KeysetKeyring(keyset), encryptionContext: context }))
          .message,
      );
      keyset.close();
      bytes = await rotateKeyset(bytes, { unlock: kek });
    }
    bytes = await retireKeysetVersion(bytes, 1, { unlock: kek });

    // The keyset itself is a standard message: any ESDK with the KEK decrypts it.
    const { plaintext: keysetPlaintext, encryptionContext } = await decrypt(bytes, {
      keyring: kek,
      // polykms opens a message that declares a purpose only for a caller who expects it.
      encryptionContext: { 'polykms:purpose': 'keyset/v1' },
    });

    const { id, keys } = versionKeysOf(keysetPlaintext);
    expect(id.toString('hex')).toBe(encryptionContext['polykms:keyset-id']);
    expect([...keys.keys()]).toEqual([1, 2, 3, 4]);

    for (const [i, message] of messages.entries()) {
      const header = parseHeader(message);
      const [edk] = header.encryptedDataKeys;
      if (!edk) throw new Error('no EDK');
      expect(Buffer.from(edk.providerInfo).readUInt32BE(17)).toBe(i + 1);
      const dataKey = openEdk(edk, keys, header.encryptionContext);
      expect(dataKey.length).toBe(32);
      const opened = await decrypt(message, { keyring: knownDataKey(dataKey) });
      expect(Buffer.from(opened.plaintext)).toEqual(plaintext);
      // Control: a wrong data key does not decrypt, so the line above proves the key is right.
      await expect(decrypt(message, { keyring: knownDataKey(Buffer.alloc(32)) })).rejects.toMatchObject({
        code: 'ERR_DECRYPTION_FAILED',
      });
    }
  });
});
