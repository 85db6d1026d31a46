import type { EcdhCurveSpec } from './ecdh-curve.js';
import { ECDH_KEYRING_VERSION, type EcdhParties } from './ecdh-provider-info.js';

const LABEL = Buffer.from('ecdh-key-derivation', 'ascii');
const PRF_NAME = Buffer.from('HMAC_SHA384', 'ascii');
const SEPARATOR = Buffer.of(0x00);

/**
 * The ESDK's FixedInfo, both the KDF's label and the AAD of the data key's AES-GCM wrap:
 * "ecdh-key-derivation" ‖ 0 ‖ curve ‖ 0 ‖ "HMAC_SHA384" ‖ 0 ‖ sender key ‖ recipient key ‖ 0 ‖
 * version ‖ 0 ‖ serialized encryption context. Binding both public keys and the context means a
 * wrapping key derived for one message, pair of parties or context opens nothing else.
 */
export function ecdhFixedInfo(
  spec: EcdhCurveSpec,
  parties: EcdhParties,
  serializedContext: Uint8Array,
): Buffer {
  return Buffer.concat([
    LABEL,
    SEPARATOR,
    Buffer.from(spec.kdfName, 'ascii'),
    SEPARATOR,
    PRF_NAME,
    SEPARATOR,
    parties.sender,
    parties.recipient,
    SEPARATOR,
    Buffer.of(ECDH_KEYRING_VERSION),
    SEPARATOR,
    serializedContext,
  ]);
}
