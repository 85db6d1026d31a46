import { parseHeader } from '../format/header.js';
import type { RewrapOptions, RewrapResult } from './options.js';
import { rewrapHeader } from './rewrap-header.js';

/**
 * Gives a message new recipients without touching its body: one unwrap with `decryptKeyring`,
 * one wrap with `keyring`, a new header; the body bytes are copied unchanged and never decrypted
 * (so a damaged body is carried over as it is and fails on decrypt, as it would have before).
 */
export async function rewrap(message: Uint8Array, options: RewrapOptions): Promise<RewrapResult> {
  const header = parseHeader(message, options);
  const rewrapped = await rewrapHeader(header, options);
  return {
    ...rewrapped,
    message: Buffer.concat([rewrapped.headerBytes, message.subarray(header.length)]),
  };
}
