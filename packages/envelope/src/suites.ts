import { CommitmentPolicyError, InvalidArgumentError, MalformedMessageError } from './errors.js';

export type SuiteId =
  | 0x0014
  | 0x0046
  | 0x0078
  | 0x0114
  | 0x0146
  | 0x0178
  | 0x0214
  | 0x0346
  | 0x0378
  | 0x0478
  | 0x0578;

export interface SignatureSpec {
  readonly curve: 'P-256' | 'P-384';
  readonly hash: 'sha256' | 'sha384';
  /** Length of the base64 of the compressed public point stored in `aws-crypto-public-key`. */
  readonly publicKeyBase64Length: 44 | 68;
}

export interface AlgorithmSuite {
  readonly id: SuiteId;
  readonly name: string;
  readonly messageFormat: 1 | 2;
  readonly cipher: 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm';
  /** Length of the data key and of the derived encryption key, in bytes. */
  readonly keyLength: 16 | 24 | 32;
  readonly ivLength: 12;
  readonly tagLength: 16;
  readonly kdf: 'identity' | 'hkdf-sha256' | 'hkdf-sha384' | 'hkdf-sha512';
  readonly signature: SignatureSpec | undefined;
  readonly committing: boolean;
}

const P256: SignatureSpec = { curve: 'P-256', hash: 'sha256', publicKeyBase64Length: 44 };
const P384: SignatureSpec = { curve: 'P-384', hash: 'sha384', publicKeyBase64Length: 68 };

function suite(
  id: SuiteId,
  name: string,
  keyLength: 16 | 24 | 32,
  kdf: AlgorithmSuite['kdf'],
  signature?: SignatureSpec,
): AlgorithmSuite {
  const committing = id === 0x0478 || id === 0x0578;
  return Object.freeze({
    id,
    name,
    messageFormat: committing ? 2 : 1,
    cipher: `aes-${keyLength * 8}-gcm` as AlgorithmSuite['cipher'],
    keyLength,
    ivLength: 12,
    tagLength: 16,
    kdf,
    signature,
    committing,
  });
}

export const Suites = Object.freeze({
  AES_128_GCM_IV12_TAG16_NO_KDF: suite(0x0014, 'AES_128_GCM_IV12_TAG16_NO_KDF', 16, 'identity'),
  AES_192_GCM_IV12_TAG16_NO_KDF: suite(0x0046, 'AES_192_GCM_IV12_TAG16_NO_KDF', 24, 'identity'),
  AES_256_GCM_IV12_TAG16_NO_KDF: suite(0x0078, 'AES_256_GCM_IV12_TAG16_NO_KDF', 32, 'identity'),
  AES_128_GCM_IV12_TAG16_HKDF_SHA256: suite(0x0114, 'AES_128_GCM_IV12_TAG16_HKDF_SHA256', 16, 'hkdf-sha256'),
  AES_192_GCM_IV12_TAG16_HKDF_SHA256: suite(0x0146, 'AES_192_GCM_IV12_TAG16_HKDF_SHA256', 24, 'hkdf-sha256'),
  AES_256_GCM_IV12_TAG16_HKDF_SHA256: suite(0x0178, 'AES_256_GCM_IV12_TAG16_HKDF_SHA256', 32, 'hkdf-sha256'),
  AES_128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256: suite(
    0x0214,
    'AES_128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256',
    16,
    'hkdf-sha256',
    P256,
  ),
  AES_192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384: suite(
    0x0346,
    'AES_192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384',
    24,
    'hkdf-sha384',
    P384,
  ),
  AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384: suite(
    0x0378,
    'AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384',
    32,
    'hkdf-sha384',
    P384,
  ),
  AES_256_GCM_HKDF_SHA512_COMMIT_KEY: suite(0x0478, 'AES_256_GCM_HKDF_SHA512_COMMIT_KEY', 32, 'hkdf-sha512'),
  AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384: suite(
    0x0578,
    'AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384',
    32,
    'hkdf-sha512',
    P384,
  ),
});

export const DEFAULT_SUITE = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;

const suitesById: ReadonlyMap<number, AlgorithmSuite> = new Map(Object.values(Suites).map((s) => [s.id, s]));

/** Every suite we read; the ones we write are the committing ones. */
export const ALL_SUITES: readonly AlgorithmSuite[] = [...suitesById.values()];

export function suiteFromId(id: number): AlgorithmSuite {
  const found = suitesById.get(id);
  if (!found)
    throw new MalformedMessageError(`unknown algorithm suite 0x${id.toString(16).padStart(4, '0')}`);
  return found;
}

/**
 * We always write committing (v2) suites. The policy decides what we read:
 * - `require-encrypt-require-decrypt` (default): only committing suites.
 * - `require-encrypt-allow-decrypt`: v1 messages too, for migrating data written by older SDKs.
 */
export type CommitmentPolicy = 'require-encrypt-require-decrypt' | 'require-encrypt-allow-decrypt';

export const DEFAULT_COMMITMENT_POLICY: CommitmentPolicy = 'require-encrypt-require-decrypt';

export function assertSuiteAllowedForDecrypt(suite: AlgorithmSuite, policy: CommitmentPolicy): void {
  if (policy === 'require-encrypt-require-decrypt' && !suite.committing) {
    throw new CommitmentPolicyError(
      `suite ${suite.name} is not key-committing; decrypting it needs commitmentPolicy 'require-encrypt-allow-decrypt'`,
    );
  }
}

export function assertSuiteAllowedForEncrypt(suite: AlgorithmSuite): void {
  if (!suite.committing) {
    throw new InvalidArgumentError(
      `suite ${suite.name} cannot be written: polykms writes only the committing suites 0x0478 and 0x0578`,
    );
  }
}
