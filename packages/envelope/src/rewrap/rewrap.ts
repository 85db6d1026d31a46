import { freeNow } from '../crypto/free-now.js';
import { FramedBodyCheck } from '../format/framed-body-check.js';
import { parseHeader } from '../format/header.js';
import { assertHeaderOnlyAllowed, assertRewrappable, rewrapHeader } from './header-rewrite.js';
import type { RewrapOptions, RewrapPartsResult, RewrapResult } from './options.js';
import { ReencryptionSession } from './reencryption-session.js';

/**
 * Header-only: the body is never decrypted, but its frame layout is checked first, so a truncated
 * or padded message is refused (a frame whose bytes were altered is carried over and fails on
 * decrypt, as it would have before).
 */
async function rewrapHeaderOnly(message: Uint8Array, options: RewrapOptions): Promise<RewrapPartsResult> {
  assertHeaderOnlyAllowed(options);
  const header = parseHeader(message, options);
  const body = message.subarray(header.length);
  assertRewrappable(header);
  const layout = new FramedBodyCheck(header.frameLength);
  layout.push(body);
  layout.finish();
  const rewrapped = await rewrapHeader(header, options);
  return { ...rewrapped, body };
}

/** Message bytes decrypted per step of a buffered re-encryption. */
const REENCRYPTION_STEP = 1024 * 1024;

/** Re-encrypts into one new buffer, the new header first; header and body are views of it. */
async function reencrypt(
  message: Uint8Array,
  options: RewrapOptions,
): Promise<RewrapPartsResult & RewrapResult> {
  const session = new ReencryptionSession(options);
  // Fed a step at a time, so that each step's plaintext is zeroed and freed before the next is
  // decrypted (one pass over the whole message held all of it at once).
  const parts: Uint8Array[] = [];
  for (let offset = 0; offset < message.length; offset += REENCRYPTION_STEP) {
    parts.push(...(await session.push(message.subarray(offset, offset + REENCRYPTION_STEP))));
  }
  parts.push(...(await session.finish()));
  const header = session.header!;
  const joined = Buffer.concat(parts);
  // After the header, the parts are this message's own frame buffers, never handed out: freed
  // now rather than left for a full GC (see freeNow).
  for (const part of parts.slice(1)) freeNow(part);
  return {
    header,
    headerBytes: joined.subarray(0, header.length),
    body: joined.subarray(header.length),
    message: joined,
    missingRecipients: session.missingRecipients,
  };
}

/**
 * Gives a message new recipients: by default it is decrypted (each frame authenticated before its
 * plaintext is used) and encrypted again with a fresh message id and data key, keeping its
 * context, suite and frame length unless `target` changes them; with `method: 'header-only'`,
 * one unwrap and one wrap write a new header over the original body (see RewrapMethod). Returns
 * the new header and body apart: writing the two one after the other (`writev`, a multipart
 * upload) needs no joined copy.
 */
export async function rewrapParts(message: Uint8Array, options: RewrapOptions): Promise<RewrapPartsResult> {
  if (options.method === 'header-only') return rewrapHeaderOnly(message, options);
  const { message: _, ...parts } = await reencrypt(message, options);
  return parts;
}

/** `rewrapParts`, joined into one new buffer: the new header followed by its body. */
export async function rewrap(message: Uint8Array, options: RewrapOptions): Promise<RewrapResult> {
  if (options.method !== 'header-only') {
    // Already one buffer: joining its header and body again would copy the whole message.
    const { body: _, ...rewrapped } = await reencrypt(message, options);
    return rewrapped;
  }
  const { body, ...rewrapped } = await rewrapHeaderOnly(message, options);
  return { ...rewrapped, message: Buffer.concat([rewrapped.headerBytes, body]) };
}
