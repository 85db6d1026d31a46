import { parseHeader } from '../format/header.js';
import type { RewrapOptions, RewrapPartsResult, RewrapResult } from './options.js';
import { rewrapHeader } from './rewrap-header.js';

/**
 * Gives a message new recipients without touching its body: one unwrap with `decryptKeyring`,
 * one wrap with `keyring`, a new header; the body is never decrypted (so a damaged body is carried
 * over as it is and fails on decrypt, as it would have before). Returns the new header and a view
 * of the body inside `message`: writing the two one after the other (`writev`, a multipart upload)
 * moves a message of any size without copying it in memory.
 */
export async function rewrapParts(message: Uint8Array, options: RewrapOptions): Promise<RewrapPartsResult> {
  const header = parseHeader(message, options);
  const rewrapped = await rewrapHeader(header, options);
  return { ...rewrapped, body: message.subarray(header.length) };
}

/** `rewrapParts`, joined into one new buffer: the new header followed by the original body. */
export async function rewrap(message: Uint8Array, options: RewrapOptions): Promise<RewrapResult> {
  const { body, ...rewrapped } = await rewrapParts(message, options);
  return { ...rewrapped, message: Buffer.concat([rewrapped.headerBytes, body]) };
}
