import { parseHeader } from '../format/header.js';
import type { RewrapOptions, RewrapPartsResult, RewrapResult } from './options.js';
import { assertRetiresOriginal, assertRewrappable, rewrapHeader } from './rewrap-header.js';
import { FramedBodyCheck } from '../format/framed-body-check.js';

/**
 * Gives a message new recipients without touching its body: one unwrap with `decryptKeyring`,
 * one wrap with `keyring`, a new header. The body is never decrypted, but its frame layout is
 * checked first, so a truncated or padded message is refused (a frame whose bytes were altered is
 * carried over and fails on decrypt, as it would have before). Returns the new header and a view
 * of the body inside `message`: writing the two one after the other (`writev`, a multipart upload)
 * moves a message of any size without copying it in memory.
 */
export async function rewrapParts(message: Uint8Array, options: RewrapOptions): Promise<RewrapPartsResult> {
  assertRetiresOriginal(options);
  const header = parseHeader(message, options);
  const body = message.subarray(header.length);
  assertRewrappable(header);
  const layout = new FramedBodyCheck(header.frameLength);
  layout.push(body);
  layout.finish();
  const rewrapped = await rewrapHeader(header, options);
  return { ...rewrapped, body };
}

/** `rewrapParts`, joined into one new buffer: the new header followed by the original body. */
export async function rewrap(message: Uint8Array, options: RewrapOptions): Promise<RewrapResult> {
  const { body, ...rewrapped } = await rewrapParts(message, options);
  return { ...rewrapped, message: Buffer.concat([rewrapped.headerBytes, body]) };
}
