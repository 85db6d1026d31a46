import { ECDH, type JsonWebKey, KeyObject, createPrivateKey, createPublicKey } from 'node:crypto';
import { InvalidArgumentError } from '@polykms/envelope';
import { type EcdhCurveSpec, compressedPointBytes, ecdhCurveOfNodeName } from './ecdh-curve.js';

/** A public key: a `KeyObject`, PEM (SPKI), DER (SPKI) bytes, or a JWK (`kty: 'EC'`). */
export type EcdhPublicKeyInput = KeyObject | string | Uint8Array | JsonWebKey;
/** A private key: a `KeyObject`, PEM (PKCS#8 or SEC 1), DER (PKCS#8) bytes, or a JWK with `d`. */
export type EcdhPrivateKeyInput = KeyObject | string | Uint8Array | JsonWebKey;

/** A checked public key and its SEC 1 compressed form, which is what the EDK carries. */
export interface EcdhPublicKey {
  readonly key: KeyObject;
  readonly compressed: Buffer;
}

type Kind = 'public' | 'private';

function parse(kind: Kind, input: EcdhPublicKeyInput | EcdhPrivateKeyInput): KeyObject {
  if (input instanceof KeyObject) return input;
  if (typeof input === 'string') return kind === 'public' ? createPublicKey(input) : createPrivateKey(input);
  if (input instanceof Uint8Array) {
    const key = Buffer.from(input);
    return kind === 'public'
      ? createPublicKey({ key, format: 'der', type: 'spki' })
      : createPrivateKey({ key, format: 'der', type: 'pkcs8' });
  }
  if (typeof input === 'object' && input !== null) {
    const jwk = { key: input as JsonWebKey, format: 'jwk' } as const;
    return kind === 'public' ? createPublicKey(jwk) : createPrivateKey(jwk);
  }
  throw new TypeError('not a key');
}

function asKeyObject(role: string, kind: Kind, input: EcdhPublicKeyInput | EcdhPrivateKeyInput): KeyObject {
  let key: KeyObject;
  try {
    key = parse(kind, input);
  } catch {
    // The parser's message may quote the input, which is key material: say only what failed.
    throw new InvalidArgumentError(
      `RawEcdhKeyring: ${role} is not a valid EC ${kind} key (give a KeyObject, PEM, DER or JWK)`,
    );
  }
  if (key.type !== kind) {
    throw new InvalidArgumentError(
      `RawEcdhKeyring: ${role} must be an EC ${kind} key, not a ${key.type} key`,
    );
  }
  if (key.asymmetricKeyType !== 'ec') {
    throw new InvalidArgumentError(
      `RawEcdhKeyring: ${role} is a ${key.asymmetricKeyType ?? 'unknown'} key; it must be an EC key`,
    );
  }
  return key;
}

function checkCurve(role: string, key: KeyObject, spec: EcdhCurveSpec): void {
  const namedCurve = key.asymmetricKeyDetails?.namedCurve;
  if (ecdhCurveOfNodeName(namedCurve) !== spec) {
    const found = ecdhCurveOfNodeName(namedCurve)?.curve ?? namedCurve ?? 'an unknown curve';
    throw new InvalidArgumentError(
      `RawEcdhKeyring: ${role} is on ${found}; the keyring's curve is ${spec.curve}`,
    );
  }
}

/**
 * The compressed form of a public key, after checking that it is a finite point on the curve. Node
 * will not export the point at infinity with coordinates, and `ECDH.convertKey` (OpenSSL's point
 * decoding) refuses a point that is not on the curve. The NIST curves have cofactor 1, so every
 * such point lies in the prime-order group: no small-subgroup check is needed.
 */
function compress(role: string, key: KeyObject, spec: EcdhCurveSpec): Buffer {
  try {
    const jwk = key.export({ format: 'jwk' });
    const x = Buffer.from(jwk.x ?? '', 'base64url');
    const y = Buffer.from(jwk.y ?? '', 'base64url');
    if (x.length !== spec.fieldBytes || y.length !== spec.fieldBytes)
      throw new RangeError('not a finite point');
    const uncompressed = Buffer.concat([Buffer.of(0x04), x, y]);
    const compressed = ECDH.convertKey(uncompressed, spec.nodeName, undefined, undefined, 'compressed');
    return Buffer.from(compressed as Buffer);
  } catch {
    throw new InvalidArgumentError(`RawEcdhKeyring: ${role} is not a valid point on ${spec.curve}`);
  }
}

function withCompressed(role: string, key: KeyObject, spec: EcdhCurveSpec): EcdhPublicKey {
  return { key, compressed: compress(role, key, spec) };
}

function loadOnCurve(role: string, kind: Kind, input: EcdhPublicKeyInput, spec: EcdhCurveSpec): KeyObject {
  const key = asKeyObject(role, kind, input);
  checkCurve(role, key, spec);
  return key;
}

export function loadEcdhPublicKey(
  role: string,
  input: EcdhPublicKeyInput,
  spec: EcdhCurveSpec,
): EcdhPublicKey {
  return withCompressed(role, loadOnCurve(role, 'public', input, spec), spec);
}

export interface EcdhKeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: EcdhPublicKey;
}

export function loadEcdhPrivateKey(
  role: string,
  input: EcdhPrivateKeyInput,
  spec: EcdhCurveSpec,
): EcdhKeyPair {
  const privateKey = loadOnCurve(role, 'private', input, spec);
  return { privateKey, publicKey: withCompressed(role, createPublicKey(privateKey), spec) };
}

/**
 * The public key of a compressed point read from an EDK, or `undefined` when the bytes are not a
 * point on the curve (OpenSSL refuses an x coordinate with no square root, or one not below p).
 */
export function publicKeyFromCompressed(compressed: Uint8Array, spec: EcdhCurveSpec): KeyObject | undefined {
  if (compressed.length !== compressedPointBytes(spec)) return undefined;
  try {
    const point = ECDH.convertKey(
      Buffer.from(compressed),
      spec.nodeName,
      undefined,
      undefined,
      'uncompressed',
    );
    const bytes = point as Buffer;
    const x = bytes.subarray(1, 1 + spec.fieldBytes).toString('base64url');
    const y = bytes.subarray(1 + spec.fieldBytes).toString('base64url');
    return createPublicKey({ key: { kty: 'EC', crv: spec.curve, x, y }, format: 'jwk' });
  } catch {
    return undefined;
  }
}
