import { createCipheriv, randomBytes } from 'node:crypto';
import { Suites, serializeEncryptionContext, unwrapDataKey, wrapDataKey } from '@polykms/envelope';
import { RawAesKeyring, serializeContextInLocaleOrder } from '@polykms/local';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
const wrappingKey = randomBytes(32);
const keyring = new RawAesKeyring({ keyNamespace: 'ns', keyName: 'key', wrappingKey });

const text = (min: number) =>
  fc
    .string({ unit: 'binary', minLength: min, maxLength: 8 })
    .filter((s) => Buffer.from(s, 'utf8').toString('utf8') === s);
const contexts = fc.dictionary(text(1), text(0), { maxKeys: 5 });

/** Seals `dataKey` the way a raw AES keyring does, under the given AAD. */
function seal(dataKey: Buffer, aad: Uint8Array) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', wrappingKey, iv).setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
  const providerInfo = Buffer.concat([Buffer.from('key'), Buffer.from([0, 0, 0, 128, 0, 0, 0, 12]), iv]);
  return { providerId: 'ns', providerInfo, ciphertext };
}

describe('RawAesKeyring properties', () => {
  it('opens EDKs bound in UTF-8 order or in localeCompare order, for any context', async () => {
    await fc.assert(
      fc.asyncProperty(contexts, fc.boolean(), async (context, legacy) => {
        const dataKey = randomBytes(32);
        const aad = legacy ? serializeContextInLocaleOrder(context) : serializeEncryptionContext(context);
        const edk = seal(dataKey, aad);
        const result = await unwrapDataKey(keyring, {
          suite,
          encryptionContext: context,
          encryptedDataKeys: [edk],
        });
        expect(Buffer.from(result!.dataKey).equals(dataKey)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('its own EDKs open under the same context and under no other', async () => {
    await fc.assert(
      fc.asyncProperty(contexts, contexts, async (context, other) => {
        const wrapped = await wrapDataKey(keyring, { suite, encryptionContext: context });
        const request = { suite, encryptedDataKeys: wrapped.encryptedDataKeys };
        const same = await unwrapDataKey(keyring, { ...request, encryptionContext: context });
        expect(Buffer.from(same!.dataKey).equals(Buffer.from(wrapped.dataKey))).toBe(true);
        const sameSerialization = Buffer.from(serializeEncryptionContext(other)).equals(
          Buffer.from(serializeEncryptionContext(context)),
        );
        if (!sameSerialization) {
          await expect(
            unwrapDataKey(keyring, { ...request, encryptionContext: other }),
          ).rejects.toMatchObject({
            code: 'ERR_NO_DECRYPTABLE_KEY',
          });
        }
      }),
      { numRuns: 100 },
    );
  });
});
