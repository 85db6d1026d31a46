import { constants } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isPkcs1DecryptRefusal, rsaPaddingOptions } from '../src/rsa-padding.js';

describe('RSA padding options', () => {
  it('maps OAEP paddings to MGF1 with the same hash, and pkcs1 to PKCS#1 v1.5', () => {
    expect(rsaPaddingOptions('oaep-sha384')).toEqual({
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: 'sha384',
    });
    expect(rsaPaddingOptions('pkcs1')).toEqual({ padding: constants.RSA_PKCS1_PADDING });
  });

  it("recognises Node's PKCS#1 refusal in the wordings of each Node line, and nothing else", () => {
    const refusal = 'RSA_PKCS1_PADDING is no longer supported for private decryption';
    expect(
      isPkcs1DecryptRefusal(
        new TypeError(`${refusal}, this can be reverted with --security-revert=CVE-2023-46809`),
      ),
    ).toBe(true);
    expect(
      isPkcs1DecryptRefusal(
        new TypeError(`${refusal}, this can be reverted with --security-revert=CVE-2024-PEND`),
      ),
    ).toBe(true);
    expect(isPkcs1DecryptRefusal(new Error('error:02000079:rsa routines::oaep decoding error'))).toBe(false);
    expect(isPkcs1DecryptRefusal('RSA_PKCS1_PADDING is no longer supported')).toBe(false);
  });
});
