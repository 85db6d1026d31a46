import type { AlgorithmSuite } from '../suites.js';
import { hkdfExpand, hkdfExtract } from './hkdf.js';
import { zeroize } from './zeroize.js';

const DERIVE_KEY_LABEL = Buffer.from('DERIVEKEY', 'ascii');
const COMMIT_KEY_LABEL = Buffer.from('COMMITKEY', 'ascii');
const COMMITMENT_LENGTH = 32;
const NO_SALT = new Uint8Array(0);

export interface DerivedKeys {
  /** The key for the header tag and every frame. Zero it when done. */
  readonly encryptionKey: Buffer;
  /** v2 suites only: the value stored in (or checked against) the header. */
  readonly commitment: Buffer | undefined;
}

function suiteIdBytes(suite: AlgorithmSuite): Buffer {
  return Buffer.from([suite.id >> 8, suite.id & 0xff]);
}

/** v2 encryption-key info (suite id ‖ "DERIVEKEY") per suite, made once. */
const deriveKeyInfo = new Map<number, Buffer>();
function v2DeriveInfo(suite: AlgorithmSuite): Buffer {
  let info = deriveKeyInfo.get(suite.id);
  if (!info) {
    info = Buffer.concat([suiteIdBytes(suite), DERIVE_KEY_LABEL]);
    deriveKeyInfo.set(suite.id, info);
  }
  return info;
}

/**
 * The per-message keys. v2: HKDF-SHA512 with the message id as salt; the commitment info carries
 * no suite id (a quirk of the format). v1 HKDF suites: no salt, info = suite id ‖ message id.
 */
export function deriveKeys(suite: AlgorithmSuite, dataKey: Uint8Array, messageId: Uint8Array): DerivedKeys {
  switch (suite.kdf) {
    case 'identity':
      return { encryptionKey: Buffer.from(dataKey), commitment: undefined };
    case 'hkdf-sha256':
    case 'hkdf-sha384': {
      const hash = suite.kdf === 'hkdf-sha256' ? 'sha256' : 'sha384';
      const info = Buffer.concat([suiteIdBytes(suite), messageId]);
      const prk = hkdfExtract(hash, NO_SALT, dataKey);
      try {
        return { encryptionKey: hkdfExpand(hash, prk, info, suite.keyLength), commitment: undefined };
      } finally {
        zeroize(prk);
      }
    }
    case 'hkdf-sha512': {
      const info = v2DeriveInfo(suite);
      const prk = hkdfExtract('sha512', messageId, dataKey);
      try {
        return {
          encryptionKey: hkdfExpand('sha512', prk, info, suite.keyLength),
          commitment: hkdfExpand('sha512', prk, COMMIT_KEY_LABEL, COMMITMENT_LENGTH),
        };
      } finally {
        zeroize(prk);
      }
    }
  }
}
