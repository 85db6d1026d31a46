import { framedBodyLength } from '../format/body.js';
import type { AlgorithmSuite, SuiteId } from '../suites.js';
import { DEFAULT_FRAME_LENGTH, checkFrameLength } from './frame-length.js';
import { type PreparedEncryption, resolveSuite } from './prepare-encryption.js';

/** Room for a footer: u16 length and a DER ECDSA signature (at most 104 bytes for P-384). */
export const MAX_FOOTER_LENGTH = 2 + 255;

export interface MessageLengthOptions {
  /** The header's length: `result.header.length` of an earlier message with the same keyring and context. */
  readonly headerLength: number;
  readonly frameLength?: number | undefined;
  readonly suite?: AlgorithmSuite | SuiteId | undefined;
}

/**
 * How many bytes `encryptInto` needs for `plaintextLength` bytes of plaintext: exact for unsigned
 * suites, an upper bound for signed ones (a DER signature's length varies by a few bytes).
 */
export function encryptedLength(plaintextLength: number, options: MessageLengthOptions): number {
  const frameLength = checkFrameLength(options.frameLength ?? DEFAULT_FRAME_LENGTH);
  const suite = resolveSuite(options.suite);
  return (
    options.headerLength +
    framedBodyLength(plaintextLength, frameLength) +
    (suite.signature ? MAX_FOOTER_LENGTH : 0)
  );
}

/** `encryptedLength` of a message whose header is written. */
export function preparedMessageLength(prepared: PreparedEncryption, plaintextLength: number): number {
  const { frameLength, suite } = prepared.header;
  return encryptedLength(plaintextLength, { headerLength: prepared.headerBytes.length, frameLength, suite });
}
