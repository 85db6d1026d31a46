import {
  type JsonWebKey,
  type KeyObject,
  createPrivateKey,
  createSecretKey,
  generateKeyPair,
  randomBytes,
} from 'node:crypto';
import { promisify } from 'node:util';

const generateRsaKeyPair = promisify(generateKeyPair);

/** The key types the emulator creates. EC keys sign only, and plain `oct` exists only on Managed HSM. */
export type KeyType = 'RSA' | 'RSA-HSM' | 'oct-HSM';

export const RSA_KEY_SIZES: readonly number[] = [2048, 3072, 4096];
export const OCT_KEY_SIZES: readonly number[] = [128, 192, 256];

export const RSA_KEY_OPS = ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey'] as const;
export const OCT_KEY_OPS = ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'] as const;

export function isRsa(kty: KeyType): boolean {
  return kty === 'RSA' || kty === 'RSA-HSM';
}

/**
 * The private JWK as node exports it (`n e d p q dp dq qi` for RSA, `k` for AES), base64url.
 * It is what a snapshot stores; it never leaves the emulator over the wire.
 */
export type PrivateJwk = JsonWebKey;

export async function generateKeyMaterial(kty: KeyType, keySize: number): Promise<PrivateJwk> {
  if (isRsa(kty)) {
    const { privateKey } = await generateRsaKeyPair('rsa', { modulusLength: keySize, publicExponent: 65537 });
    return privateKey.export({ format: 'jwk' });
  }
  return { kty: 'oct', k: randomBytes(keySize / 8).toString('base64url') };
}

const keyObjects = new WeakMap<PrivateJwk, KeyObject>();

/** The KeyObject behind a JWK, built once per JWK object. */
export function keyObjectOf(jwk: PrivateJwk): KeyObject {
  let key = keyObjects.get(jwk);
  if (key === undefined) {
    key =
      jwk.kty === 'oct'
        ? createSecretKey(Buffer.from(jwk.k ?? '', 'base64url'))
        : createPrivateKey({ key: jwk, format: 'jwk' });
    keyObjects.set(jwk, key);
  }
  return key;
}
