import { describe, expect, it } from 'vitest';
import { providerInfoText } from '@polykms/envelope/driver';

const utf8 = new TextEncoder();

describe('providerInfoText', () => {
  it('returns the text of valid UTF-8 provider info within the bound', () => {
    expect(providerInfoText(utf8.encode('projects/p/keys/k'), 1024)).toBe('projects/p/keys/k');
  });

  it('accepts provider info of exactly maxBytes', () => {
    expect(providerInfoText(utf8.encode('a'.repeat(16)), 16)).toBe('a'.repeat(16));
  });

  it('rejects provider info one byte over maxBytes', () => {
    expect(providerInfoText(utf8.encode('a'.repeat(17)), 16)).toBeUndefined();
  });

  it('rejects empty provider info', () => {
    expect(providerInfoText(new Uint8Array(0), 16)).toBeUndefined();
  });

  it('rejects bytes that are not valid UTF-8 instead of replacing them', () => {
    expect(providerInfoText(new Uint8Array([0x61, 0xff, 0x62]), 16)).toBeUndefined();
    expect(providerInfoText(new Uint8Array([0xe2, 0x82]), 16)).toBeUndefined();
  });

  it('keeps a leading UTF-8 byte-order mark: such provider info names no key', () => {
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, 0x61]);
    expect(providerInfoText(withBom, 4)).toBe('\uFEFFa');
    expect(providerInfoText(withBom, 3)).toBeUndefined();
  });

  it('counts the bound in bytes, not characters', () => {
    const euros = utf8.encode('€€€€€€'); // 6 characters, 18 bytes
    expect(providerInfoText(euros, 17)).toBeUndefined();
    expect(providerInfoText(euros, 18)).toBe('€€€€€€');
  });
});
