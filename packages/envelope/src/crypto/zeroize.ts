/** Overwrites key material in place. Call on every buffer that held a key once it is no longer needed. */
export function zeroize(...buffers: (Uint8Array | undefined)[]): void {
  for (const buffer of buffers) buffer?.fill(0);
}
