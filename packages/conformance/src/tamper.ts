import type { EncryptedDataKey } from '@polykms/envelope';

export interface Tampering {
  readonly name: string;
  readonly apply: (edk: EncryptedDataKey) => EncryptedDataKey;
}

function flip(bytes: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

/**
 * Single-bit flips at both ends (Go CDK's drivertest flips only three bytes in the middle, which
 * misses parsers that ignore a header or trailer), plus length changes, which catch keyrings
 * that read a prefix and ignore the rest.
 */
export const tamperings: readonly Tampering[] = [
  { name: 'first ciphertext byte flipped', apply: (e) => ({ ...e, ciphertext: flip(e.ciphertext, 0) }) },
  {
    name: 'last ciphertext byte flipped',
    apply: (e) => ({ ...e, ciphertext: flip(e.ciphertext, e.ciphertext.length - 1) }),
  },
  {
    name: 'middle ciphertext byte flipped',
    apply: (e) => ({ ...e, ciphertext: flip(e.ciphertext, e.ciphertext.length >> 1) }),
  },
  {
    name: 'ciphertext truncated by one byte',
    apply: (e) => ({ ...e, ciphertext: e.ciphertext.slice(0, -1) }),
  },
  {
    name: 'ciphertext cut in half',
    apply: (e) => ({ ...e, ciphertext: e.ciphertext.slice(0, Math.max(1, e.ciphertext.length >> 1)) }),
  },
  {
    name: 'ciphertext extended by one byte',
    apply: (e) => ({ ...e, ciphertext: Uint8Array.of(...e.ciphertext, 0) }),
  },
  {
    name: 'last provider-info byte flipped',
    apply: (e) => ({ ...e, providerInfo: flip(e.providerInfo, e.providerInfo.length - 1) }),
  },
  {
    name: 'provider info extended by one byte',
    apply: (e) => ({ ...e, providerInfo: Uint8Array.of(...e.providerInfo, 0x41) }),
  },
];
