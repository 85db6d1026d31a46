/** JOSE base64url: the alphabet `A-Z a-z 0-9 - _`, no padding (a trailing `=` run is tolerated). */
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

export function encodeBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Strict decode: returns undefined for anything that is not base64url, instead of skipping junk. */
export function decodeBase64url(text: unknown): Buffer | undefined {
  if (typeof text !== 'string' || !BASE64URL.test(text)) return undefined;
  const bare = text.replace(/=+$/, '');
  if (bare.length % 4 === 1) return undefined;
  return Buffer.from(bare, 'base64url');
}
