import { randomBytes } from 'node:crypto';
import {
  type EncryptionContext,
  PolykmsError,
  Suites,
  decrypt,
  encrypt,
  inspect,
  parseEncryptionContext,
  parseHeader,
  serializeEncryptionContext,
} from '@polykms/envelope';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aesTestKeyring } from './support/keyrings.js';

/**
 * Properties of the parser and of the message round trip. Any input may be rejected, but only
 * with a PolykmsError: no other exception, no hang (the test timeout), and no allocation sized
 * by a length field (the parser reads views of the input and checks every length first).
 */
const keyring = aesTestKeyring('property');
const suites = [
  Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
  Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
];

function isWellFormed(text: string): boolean {
  return Buffer.from(text, 'utf8').toString('utf8') === text;
}
const contextKey = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 12 })
  .filter((k) => isWellFormed(k) && !k.startsWith('aws-crypto-'));
const contextValue = fc.string({ unit: 'binary', maxLength: 20 }).filter(isWellFormed);
const contexts = fc.dictionary(contextKey, contextValue, { maxKeys: 6 });

/** Runs `f`; returns true when it threw a PolykmsError, false when it returned, rethrows anything else. */
async function onlyTypedErrors(f: () => unknown): Promise<boolean> {
  try {
    await f();
    return false;
  } catch (error) {
    if (error instanceof PolykmsError) return true;
    throw error;
  }
}

describe('parser properties', () => {
  it('random bytes never make parseHeader, inspect or decrypt throw anything but a PolykmsError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => {
        await onlyTypedErrors(() => parseHeader(bytes));
        await onlyTypedErrors(() => inspect(bytes));
        expect(await onlyTypedErrors(() => decrypt(bytes, { keyring }))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes behind a plausible v1 or v2 prefix are rejected with a PolykmsError', async () => {
    const prefixes = [
      Buffer.from([2, 0x04, 0x78]),
      Buffer.from([2, 0x05, 0x78]),
      Buffer.from([1, 0x80, 0x01, 0x78]),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...prefixes),
        fc.uint8Array({ maxLength: 400 }),
        async (prefix, tail) => {
          const bytes = Buffer.concat([prefix, tail]);
          await onlyTypedErrors(() => inspect(bytes));
          expect(
            await onlyTypedErrors(() =>
              decrypt(bytes, { keyring, commitmentPolicy: 'require-encrypt-allow-decrypt' }),
            ),
          ).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  for (const suite of suites) {
    it(`mutations of a valid ${suite.name} message are always rejected with a PolykmsError`, async () => {
      const { message } = await encrypt(randomBytes(70), {
        keyring,
        suite,
        frameLength: 32,
        encryptionContext: { a: 'b' },
      });
      const original = Buffer.from(message);
      const mutation = fc.oneof(
        fc.record({
          kind: fc.constant('set' as const),
          at: fc.nat(),
          value: fc.integer({ min: 0, max: 255 }),
        }),
        fc.record({
          kind: fc.constant('insert' as const),
          at: fc.nat(),
          value: fc.integer({ min: 0, max: 255 }),
        }),
        fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), value: fc.constant(0) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
          let bytes = Buffer.from(original);
          for (const { kind, at, value } of mutations) {
            const i = at % (bytes.length + (kind === 'insert' ? 1 : 0));
            if (kind === 'set') bytes[i] = value;
            else if (kind === 'insert')
              bytes = Buffer.concat([bytes.subarray(0, i), Buffer.of(value), bytes.subarray(i)]);
            else bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]);
          }
          const rejected = await onlyTypedErrors(() => decrypt(bytes, { keyring }));
          expect(rejected).toBe(!bytes.equals(original));
        }),
        { numRuns: 150 },
      );
    });
  }
});

describe('encryption context serialization properties', () => {
  it('parses back to the same pairs', () => {
    fc.assert(
      fc.property(contexts, (context) => {
        expect({ ...parseEncryptionContext(serializeEncryptionContext(context)) }).toEqual(context);
      }),
    );
  });

  it('does not depend on the order the pairs were given in, and sorts them by UTF-8 bytes', () => {
    fc.assert(
      fc.property(contexts, (context) => {
        const reversed: EncryptionContext = Object.fromEntries(Object.entries(context).reverse());
        const bytes = Buffer.from(serializeEncryptionContext(context));
        expect(bytes.equals(Buffer.from(serializeEncryptionContext(reversed)))).toBe(true);
        const keys: Buffer[] = [];
        for (let at = 2, i = 0; i < Object.keys(context).length; i++) {
          const keyLength = bytes.readUInt16BE(at);
          keys.push(bytes.subarray(at + 2, at + 2 + keyLength));
          at += 2 + keyLength;
          at += 2 + bytes.readUInt16BE(at);
        }
        for (let i = 1; i < keys.length; i++) expect(Buffer.compare(keys[i - 1]!, keys[i]!)).toBe(-1);
      }),
    );
  });

  it('serializes an empty context to zero bytes', () => {
    expect(serializeEncryptionContext({}).length).toBe(0);
  });
});

describe('round-trip properties', () => {
  it('decrypt(encrypt(x)) = x for any size, frame length, context and suite', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 700 }),
        fc.integer({ min: 1, max: 300 }),
        contexts,
        fc.constantFrom(...suites),
        async (plaintext, frameLength, context, suite) => {
          const { message } = await encrypt(plaintext, {
            keyring,
            suite,
            frameLength,
            encryptionContext: context,
          });
          const info = inspect(message);
          expect(info.frameLength).toBe(frameLength);
          expect(info.encryptionContext).toMatchObject(context);
          const result = await decrypt(message, { keyring, encryptionContext: context });
          expect(Buffer.from(result.plaintext).equals(Buffer.from(plaintext))).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});
