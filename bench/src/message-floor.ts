import { createCipheriv, createHmac, createSecretKey, hkdfSync, randomFillSync } from 'node:crypto';

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

function nextRandom(): Buffer {
  if (nextId === ids.length) {
    randomFillSync(ids);
    nextId = 0;
  }
  const bytes = Buffer.from(ids.subarray(nextId, nextId + 32));
  nextId += 32;
  return bytes;
}

export function floorMessage(plaintext: Uint8Array): Buffer {
  return sealWith(dataKeyBytes, plaintext);
}

/** `edk`: written into the message like a header's EDK (the fixed header stands in for the rest). */
function sealWith(dataKeyBytes: Buffer, plaintext: Uint8Array, edk?: Buffer): Buffer {
  const messageId = nextRandom();
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
  const parts = [header, commitment, tagCipher.getAuthTag(), ciphertext, frame.getAuthTag()];
  return Buffer.concat(edk ? [edk, ...parts] : parts);
}

const versionKey = createSecretKey(Buffer.alloc(32, 2));
const keysetLabel = Buffer.alloc(50, 4);
const edkAad = Buffer.alloc(80, 5);

/**
 * The keyset's floor: a fresh data key, the calls of its wrap (a public salt and IV, HKDF-SHA-256
 * of the version key in one `hkdfSync` on a KeyObject, AES-GCM of the data key under the derived
 * key), then `floorMessage`'s calls under that data key.
 */
export function floorKeysetMessage(plaintext: Uint8Array): Buffer {
  const dataKey = randomFillSync(Buffer.alloc(32));
  const salt = nextRandom();
  const iv = nextRandom().subarray(0, 12);
  const wrappingKey = createSecretKey(Buffer.from(hkdfSync('sha256', versionKey, salt, keysetLabel, 32)));
  const wrap = createCipheriv('aes-256-gcm', wrappingKey, iv);
  wrap.setAAD(edkAad);
  const edk = Buffer.concat([wrap.update(dataKey), wrap.final(), wrap.getAuthTag()]);
  return sealWith(dataKey, plaintext, edk);
}
