import { generateKeyPairSync } from 'node:crypto';
import { Suites, serializeEncryptionContext, unwrapDataKey, wrapDataKey } from '@polykms/envelope';
import { RawEcdhKeyring } from '@polykms/local';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
const recipient = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const writer = new RawEcdhKeyring({
  schema: 'ephemeral',
  curve: 'P-256',
  recipientPublicKey: recipient.publicKey,
});
const reader = new RawEcdhKeyring({
  schema: 'discovery',
  curve: 'P-256',
  recipientPrivateKey: recipient.privateKey,
});

const text = (min: number) =>
  fc
    .string({ unit: 'binary', minLength: min, maxLength: 8 })
    .filter((s) => Buffer.from(s, 'utf8').toString('utf8') === s);
const contexts = fc.dictionary(text(1), text(0), { maxKeys: 5 });

describe('RawEcdhKeyring properties', () => {
  it('its EDKs open under the same context and under no other', async () => {
    await fc.assert(
      fc.asyncProperty(contexts, contexts, async (context, other) => {
        const wrapped = await wrapDataKey(writer, { suite, encryptionContext: context });
        const request = { suite, encryptedDataKeys: wrapped.encryptedDataKeys };
        const same = await unwrapDataKey(reader, { ...request, encryptionContext: context });
        expect(Buffer.from(same!.dataKey).equals(Buffer.from(wrapped.dataKey))).toBe(true);
        const sameSerialization = Buffer.from(serializeEncryptionContext(other)).equals(
          Buffer.from(serializeEncryptionContext(context)),
        );
        if (!sameSerialization) {
          await expect(unwrapDataKey(reader, { ...request, encryptionContext: other })).rejects.toMatchObject(
            {
              code: 'ERR_NO_DECRYPTABLE_KEY',
            },
          );
        }
      }),
      { numRuns: 50 },
    );
  });

  it('no single-bit flip anywhere in the EDK yields a data key', async () => {
    const wrapped = await wrapDataKey(writer, { suite, encryptionContext: { a: 'b' } });
    const edk = wrapped.encryptedDataKeys[0]!;
    const fields = ['providerInfo', 'ciphertext'] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fields),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        async (field, at, bit) => {
          const bytes = Uint8Array.from(edk[field]);
          bytes[at % bytes.length]! ^= 1 << bit;
          const outcome = await unwrapDataKey(reader, {
            suite,
            encryptionContext: { a: 'b' },
            encryptedDataKeys: [{ ...edk, [field]: bytes }],
          }).then(
            (result) => (result === null ? 'not ours' : 'opened'),
            (error: { code?: string }) => error.code,
          );
          expect(outcome === 'not ours' || outcome === 'ERR_NO_DECRYPTABLE_KEY').toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
