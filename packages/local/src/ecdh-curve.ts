/** The NIST curves the AWS Encryption SDK's ECDH keyrings support (SM2 is left out: Node has no ECDH on it). */
export type EcdhCurve = 'P-256' | 'P-384' | 'P-521';

export interface EcdhCurveSpec {
  readonly curve: EcdhCurve;
  /** The OpenSSL name Node's `ECDH` and `generateKeyPair` take. */
  readonly nodeName: 'prime256v1' | 'secp384r1' | 'secp521r1';
  /** The name the ESDK writes into the KDF's fixed info. */
  readonly kdfName: 'p256' | 'p384' | 'p521';
  /** Bytes of a field element: of the shared secret, and of each coordinate of a point. */
  readonly fieldBytes: 32 | 48 | 66;
}

const specs: readonly EcdhCurveSpec[] = [
  { curve: 'P-256', nodeName: 'prime256v1', kdfName: 'p256', fieldBytes: 32 },
  { curve: 'P-384', nodeName: 'secp384r1', kdfName: 'p384', fieldBytes: 48 },
  { curve: 'P-521', nodeName: 'secp521r1', kdfName: 'p521', fieldBytes: 66 },
];

export const ECDH_CURVES: readonly EcdhCurve[] = specs.map((s) => s.curve);

export function ecdhCurveSpec(curve: unknown): EcdhCurveSpec | undefined {
  return specs.find((s) => s.curve === curve);
}

/** The spec of a key's `asymmetricKeyDetails.namedCurve`, as Node reports it. */
export function ecdhCurveOfNodeName(nodeName: string | undefined): EcdhCurveSpec | undefined {
  return specs.find((s) => s.nodeName === nodeName);
}

/** A SEC 1 compressed point: one byte (0x02 or 0x03) and the x coordinate. */
export function compressedPointBytes(spec: EcdhCurveSpec): number {
  return 1 + spec.fieldBytes;
}
