import { randomBytes } from 'node:crypto';
import { type Keyring, decrypt } from '@polykms/envelope';
import { describe, expect, it } from 'vitest';
import { decryptStreamed } from './support/forge.js';
import { fixedKeyring } from './support/keyrings.js';
import { v1NonFramedMessage } from './support/v1-non-framed.js';

/** `fixedKeyring`, counting its unwraps. */
function countingKeyring(dataKey: Uint8Array): Keyring & { unwraps: number } {
  const inner = fixedKeyring(dataKey);
  const keyring = {
    ...inner,
    unwraps: 0,
    async unwrap(request: Parameters<Keyring['unwrap']>[0]) {
      keyring.unwraps++;
      return inner.unwrap(request);
    },
  };
  return keyring;
}

describe('the default commitment policy (require-encrypt-require-decrypt)', () => {
  const dataKey = randomBytes(32);
  const plaintext = Buffer.from('legacy, not key-committing');
  const message = v1NonFramedMessage(dataKey, plaintext);

  it('refuses a v1 message in decrypt with ERR_COMMITMENT_POLICY, before any keyring call', async () => {
    const keyring = countingKeyring(dataKey);
    await expect(decrypt(message, { keyring })).rejects.toMatchObject({ code: 'ERR_COMMITMENT_POLICY' });
    expect(keyring.unwraps).toBe(0);
  });

  it('refuses a v1 message in decryptStream with ERR_COMMITMENT_POLICY, releasing nothing', async () => {
    const keyring = countingKeyring(dataKey);
    const { released, error } = await decryptStreamed(message, { keyring });
    expect(error).toMatchObject({ code: 'ERR_COMMITMENT_POLICY' });
    expect(released.length).toBe(0);
    expect(keyring.unwraps).toBe(0);
  });

  it("decrypts the same message under 'require-encrypt-allow-decrypt'", async () => {
    const options = {
      keyring: fixedKeyring(dataKey),
      commitmentPolicy: 'require-encrypt-allow-decrypt',
    } as const;
    expect(Buffer.from((await decrypt(message, options)).plaintext).equals(plaintext)).toBe(true);
    const streamed = await decryptStreamed(message, options);
    expect(streamed.error).toBeUndefined();
    expect(streamed.released.equals(plaintext)).toBe(true);
  });
});
