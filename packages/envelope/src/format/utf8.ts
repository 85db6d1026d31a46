// ignoreBOM: a leading U+FEFF is part of the text. Dropping it would make a context key or value
// differ from the bytes the header tag authenticates (and that keyrings bind to).
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Buffer.from rather than TextEncoder: for the short strings of an encryption context it is
 * about five times faster, and both encode a lone surrogate as U+FFFD.
 */
export function utf8Encode(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

/** Throws a TypeError on invalid UTF-8; callers turn it into a typed error with context. */
export function utf8DecodeStrict(bytes: Uint8Array): string {
  return strictDecoder.decode(bytes);
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Whether the text can be encoded as UTF-8 as it is: no lone surrogate, which encoding would
 * replace with U+FFFD, so that two different strings could serialize to the same bytes.
 * (`String.prototype.isWellFormed` is ES2024, beyond this project's TypeScript lib; Node 22 has it.)
 */
export function isWellFormedText(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}
