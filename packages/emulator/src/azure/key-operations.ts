import {
  type KeyObject,
  constants,
  createCipheriv,
  createDecipheriv,
  privateDecrypt,
  publicEncrypt,
} from 'node:crypto';
import { badParameter } from './errors.js';
import { type KeyType, isRsa } from './key-material.js';

/** The four data operations, as the REST path spells them. */
export type DataOperation = 'encrypt' | 'decrypt' | 'wrapkey' | 'unwrapkey';

const RSA_ALGORITHMS = {
  RSA1_5: { padding: constants.RSA_PKCS1_PADDING, hash: undefined, overhead: 11 },
  'RSA-OAEP': { padding: constants.RSA_PKCS1_OAEP_PADDING, hash: 'sha1', overhead: 2 * 20 + 2 },
  'RSA-OAEP-256': { padding: constants.RSA_PKCS1_OAEP_PADDING, hash: 'sha256', overhead: 2 * 32 + 2 },
} as const;

/** RFC 3394 default initial value. */
const KW_IV = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');
const KW_ALGORITHMS = { A128KW: 128, A192KW: 192, A256KW: 256 } as const;

function isOwn<T extends object>(table: T, name: string): name is Extract<keyof T, string> {
  return Object.hasOwn(table, name);
}

export interface OperationKey {
  readonly kty: KeyType;
  readonly keySize: number;
  readonly key: KeyObject;
}

/**
 * Runs one data operation. Every failure is a 400 BadParameter, never a 5xx: the client retries
 * 5xx, and a bad ciphertext does not get better on a second try.
 */
export function runOperation(
  operation: DataOperation,
  algorithm: string,
  key: OperationKey,
  value: Buffer,
): Buffer {
  const forward = operation === 'encrypt' || operation === 'wrapkey';
  if (isRsa(key.kty)) {
    if (!isOwn(RSA_ALGORITHMS, algorithm)) throw unsupported(algorithm, key.kty);
    const spec = RSA_ALGORITHMS[algorithm];
    const modulusBytes = key.keySize / 8;
    const options = { key: key.key, padding: spec.padding, ...(spec.hash ? { oaepHash: spec.hash } : {}) };
    if (forward) {
      if (value.length > modulusBytes - spec.overhead) {
        throw badParameter(`The value is too long for ${algorithm} with a ${key.keySize}-bit key.`);
      }
      return publicEncrypt(options, value);
    }
    if (value.length !== modulusBytes) {
      throw badParameter(`The ciphertext must be ${modulusBytes} bytes for a ${key.keySize}-bit key.`);
    }
    try {
      return privateDecrypt(options, value);
    } catch {
      throw badParameter(
        spec.hash
          ? 'Error occurred while decoding OAEP padding.'
          : 'Error occurred while decoding PKCS1 padding.',
      );
    }
  }
  if (operation === 'encrypt' || operation === 'decrypt') {
    throw badParameter(`Algorithm ${algorithm} is not supported for ${operation} by the polykms emulator.`);
  }
  if (!isOwn(KW_ALGORITHMS, algorithm)) throw unsupported(algorithm, key.kty);
  if (KW_ALGORITHMS[algorithm] !== key.keySize) {
    throw badParameter(`Algorithm ${algorithm} does not match the ${key.keySize}-bit key.`);
  }
  const minimum = forward ? 16 : 24;
  if (value.length < minimum || value.length % 8 !== 0) {
    throw badParameter(`The value for ${algorithm} must be a multiple of 8 bytes and at least ${minimum}.`);
  }
  const cipher = `id-aes${key.keySize}-wrap`;
  try {
    const transform = forward
      ? createCipheriv(cipher, key.key, KW_IV)
      : createDecipheriv(cipher, key.key, KW_IV);
    return Buffer.concat([transform.update(value), transform.final()]);
  } catch {
    throw badParameter('Error occurred while unwrapping the key: the integrity check failed.');
  }
}

function unsupported(algorithm: string, kty: KeyType) {
  return badParameter(`Algorithm ${algorithm} is not supported for key type ${kty}.`);
}
