import { createCipheriv, createHmac, createSecretKey, randomFillSync } from 'node:crypto';

/**
 * What one small v2 message costs in node:crypto calls alone, with no format, no keyring and no
 * cache: the floor under any implementation on this Node. Per message the format requires a
 * fresh message id, HKDF-SHA512 (one extract, two expands: encryption key and commitment), an
 * AES-GCM tag over the header and an AES-GCM frame. Every key is a KeyObject (the fast path).
 */
const dataKey = createSecretKey(Buffer.alloc(32, 1));
const dataKeyBytes = dataKey.export();
const deriveInfo = Buffer.from('\x04\x78DERIVEKEY\x01', 'latin1');
const commitInfo = Buffer.from('COMMITKEY\x01', 'latin1');
const header = Buffer.alloc(150, 3);
const headerIv = Buffer.alloc(12);
const frameIv = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
const ids = Buffer.alloc(32 * 128);
let nextId = ids.length;

export function floorMessage(plaintext: Uint8Array): Buffer {
  if (nextId === ids.length) {
    randomFillSync(ids);
    nextId = 0;
  }
  const messageId = Buffer.from(ids.subarray(nextId, nextId + 32));
  nextId += 32;
  const prk = createSecretKey(createHmac('sha512', createSecretKey(messageId)).update(dataKeyBytes).digest());
  const key = createSecretKey(createHmac('sha512', prk).update(deriveInfo).digest().subarray(0, 32));
  const commitment = createHmac('sha512', prk).update(commitInfo).digest().subarray(0, 32);
  const tagCipher = createCipheriv('aes-256-gcm', key, headerIv);
  tagCipher.setAAD(header);
  tagCipher.final();
  const frame = createCipheriv('aes-256-gcm', key, frameIv);
  frame.setAAD(messageId);
  const ciphertext = frame.update(plaintext);
  frame.final();
  return Buffer.concat([header, commitment, tagCipher.getAuthTag(), ciphertext, frame.getAuthTag()]);
}
