import {
  ECDH,
  type KeyObject,
  createPublicKey,
  createSign,
  createVerify,
  generateKeyPairSync,
} from 'node:crypto';
import { DecryptionFailedError, MalformedMessageError } from '../errors.js';
import type { SignatureSpec } from '../suites.js';

const opensslCurve = { 'P-256': 'prime256v1', 'P-384': 'secp384r1' } as const;

export interface SigningKey {
  readonly privateKey: KeyObject;
  /** Base64 of the compressed public point, as stored in `aws-crypto-public-key`. */
  readonly publicKeyBase64: string;
}

export function generateSigningKey(spec: SignatureSpec): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: spec.curve });
  const jwk = publicKey.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x!, 'base64url');
  const y = Buffer.from(jwk.y!, 'base64url');
  const compressed = Buffer.concat([Buffer.of(0x02 | (y[y.length - 1]! & 1)), x]);
  return { privateKey, publicKeyBase64: compressed.toString('base64') };
}

export function verificationKeyFromBase64(spec: SignatureSpec, publicKeyBase64: string): KeyObject {
  if (publicKeyBase64.length !== spec.publicKeyBase64Length) {
    throw new MalformedMessageError('the signature public key has the wrong length for the suite');
  }
  try {
    const uncompressed = ECDH.convertKey(
      Buffer.from(publicKeyBase64, 'base64'),
      opensslCurve[spec.curve],
      undefined,
      undefined,
      'uncompressed',
    ) as Buffer;
    const size = (uncompressed.length - 1) / 2;
    return createPublicKey({
      key: {
        kty: 'EC',
        crv: spec.curve,
        x: uncompressed.subarray(1, 1 + size).toString('base64url'),
        y: uncompressed.subarray(1 + size).toString('base64url'),
      },
      format: 'jwk',
    });
  } catch {
    throw new MalformedMessageError('the signature public key is not a valid point');
  }
}

/** Incremental ECDSA over header ‖ body, fed as the bytes pass. */
export class MessageSigner {
  readonly #sign;
  constructor(
    spec: SignatureSpec,
    private readonly key: KeyObject,
  ) {
    this.#sign = createSign(spec.hash);
  }
  update(chunk: Uint8Array): void {
    this.#sign.update(chunk);
  }
  /** DER-encoded signature. */
  finish(): Buffer {
    return this.#sign.sign({ key: this.key, dsaEncoding: 'der' });
  }
}

export class MessageVerifier {
  readonly #verify;
  constructor(
    spec: SignatureSpec,
    private readonly key: KeyObject,
  ) {
    this.#verify = createVerify(spec.hash);
  }
  update(chunk: Uint8Array): void {
    this.#verify.update(chunk);
  }
  /** Accepts any valid DER length and high-s signatures (some writers produce them). */
  finish(signature: Uint8Array): void {
    let valid = false;
    try {
      valid = this.#verify.verify({ key: this.key, dsaEncoding: 'der' }, signature);
    } catch {
      valid = false;
    }
    if (!valid) throw new DecryptionFailedError();
  }
}
