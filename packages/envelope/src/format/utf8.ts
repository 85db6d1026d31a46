const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Throws a TypeError on invalid UTF-8; callers turn it into a typed error with context. */
export function utf8DecodeStrict(bytes: Uint8Array): string {
  return strictDecoder.decode(bytes);
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
