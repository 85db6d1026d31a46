import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Suites, decrypt, encrypt, unwrapDataKey, wrapDataKey } from '@polykms/envelope';
import { assertSameBytes, check, sameBytes } from '../assertions.js';
import type { ConformanceCase } from '../case.js';
import { context, suite, wrapFresh } from '../fixtures.js';
import type { ConformanceHarness } from '../harness.js';

const FRAME = 4096;

/** How long to wait for timers a keyring may have left behind (e.g. a deferred zeroize). */
const SETTLE_MS = 50;

async function messageRoundTrip(harness: ConformanceHarness, size: number, forSuite = suite): Promise<void> {
  const keyring = await harness.keyringForKeyA();
  const plaintext = randomBytes(size);
  const { message } = await encrypt(plaintext, {
    keyring,
    encryptionContext: context,
    frameLength: FRAME,
    suite: forSuite,
  });
  const opened = await decrypt(message, { keyring: await harness.keyringForKeyA() });
  assertSameBytes(opened.plaintext, plaintext, `the ${size}-byte plaintext after a round trip`);
  const expected = { ...context, ...pickPublicKey(opened.encryptionContext) };
  check(
    JSON.stringify(sorted(opened.encryptionContext)) === JSON.stringify(sorted(expected)),
    `the decrypted encryption context ${JSON.stringify(sorted(opened.encryptionContext))} is not the one encrypted under`,
  );
  check(
    opened.encryptedDataKey.providerId === harness.providerId,
    `decrypt opened an EDK of provider ${JSON.stringify(opened.encryptedDataKey.providerId)}`,
  );
}

function sorted(ec: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(ec).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
}

function pickPublicKey(ec: Readonly<Record<string, string>>): Record<string, string> {
  const key = ec['aws-crypto-public-key'];
  return key === undefined ? {} : { 'aws-crypto-public-key': key };
}

const sizes: readonly [string, string, number][] = [
  ['empty', 'an empty plaintext', 0],
  ['1-byte', 'a 1-byte plaintext', 1],
  ['frame-minus-1', 'a plaintext one byte short of a frame', FRAME - 1],
  ['frame', 'a plaintext of exactly one frame', FRAME],
  ['frame-plus-1', 'a plaintext one byte over a frame', FRAME + 1],
  ['1-mib', 'a 1 MiB plaintext', 1 << 20],
];

export const roundTripCases: readonly ConformanceCase[] = [
  {
    id: 'round-trip/generate',
    title: "generates a fresh data key of the suite's length and unwraps it back",
    async run(harness) {
      const a = await harness.keyringForKeyA();
      const first = await wrapDataKey(a, { suite, encryptionContext: context });
      const firstCopy = Uint8Array.from(first.dataKey);
      const second = await wrapDataKey(a, { suite, encryptionContext: context });
      await delay(SETTLE_MS);
      assertSameBytes(
        first.dataKey,
        firstCopy,
        'the generated data key some time after wrap returned it (a keyring must not zero it later)',
      );
      check(
        first.dataKey.length === suite.keyLength,
        `the generated data key has ${first.dataKey.length} bytes, not ${suite.keyLength}`,
      );
      check(!sameBytes(first.dataKey, second.dataKey), 'two generated data keys are equal');
      check(
        first.dataKey.some((b) => b !== 0),
        'the generated data key is all zeros',
      );
      for (const edk of first.encryptedDataKeys) {
        check(
          edk.providerId === harness.providerId,
          `an EDK carries provider id ${JSON.stringify(edk.providerId)}`,
        );
      }
      const opened = await unwrapDataKey(await harness.keyringForKeyA(), {
        suite,
        encryptionContext: context,
        encryptedDataKeys: first.encryptedDataKeys,
      });
      check(opened, 'key A returned null for its own EDK');
      assertSameBytes(opened.dataKey, first.dataKey, 'the unwrapped data key');
    },
  },
  {
    id: 'round-trip/wrap-existing',
    title: "wraps a given data key, leaves the caller's buffer intact and unwraps the same bytes",
    async run(harness) {
      const a = await harness.keyringForKeyA();
      const dataKey = randomBytes(suite.keyLength);
      const copy = Uint8Array.from(dataKey);
      const wrapped = await wrapDataKey(a, { suite, encryptionContext: context, dataKey });
      // A keyring may wipe "its" copy in a timer after returning: look again once timers have run.
      await delay(SETTLE_MS);
      check(wrapped.dataKey === dataKey, "wrap-existing must return the caller's data key, not replace it");
      assertSameBytes(
        dataKey,
        copy,
        "the caller's data key after wrap (a keyring must not zero or change it)",
      );
      const opened = await unwrapDataKey(a, {
        suite,
        encryptionContext: context,
        encryptedDataKeys: wrapped.encryptedDataKeys,
      });
      check(opened, 'key A returned null for its own EDK');
      assertSameBytes(opened.dataKey, dataKey, 'the unwrapped data key');
    },
  },
  {
    id: 'round-trip/key-lengths',
    title: 'generates, wraps and unwraps 16-, 24- and 32-byte data keys for the suite asked',
    async run(harness) {
      const a = await harness.keyringForKeyA();
      for (const forSuite of [
        Suites.AES_128_GCM_IV12_TAG16_HKDF_SHA256,
        Suites.AES_192_GCM_IV12_TAG16_HKDF_SHA256,
        Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
      ]) {
        const generated = await wrapDataKey(a, { suite: forSuite, encryptionContext: context });
        check(
          generated.dataKey.length === forSuite.keyLength,
          `the generated data key for ${forSuite.name} has ${generated.dataKey.length} bytes, not ${forSuite.keyLength}`,
        );
        const given = await wrapFresh(a, context, forSuite);
        for (const [dataKey, edks] of [
          [generated.dataKey, generated.encryptedDataKeys],
          [given.dataKey, [given.edk]],
        ] as const) {
          const opened = await unwrapDataKey(a, {
            suite: forSuite,
            encryptionContext: context,
            encryptedDataKeys: edks,
          });
          check(opened, `key A returned null for its own EDK (${forSuite.name})`);
          assertSameBytes(opened.dataKey, dataKey, `the unwrapped ${forSuite.keyLength}-byte data key`);
        }
      }
    },
  },
  {
    id: 'round-trip/wraps-differ',
    title: 'two wraps of one data key give different ciphertexts that both unwrap to it',
    async run(harness) {
      const a = await harness.keyringForKeyA();
      const dataKey = randomBytes(suite.keyLength);
      const one = await wrapDataKey(a, { suite, encryptionContext: context, dataKey });
      const two = await wrapDataKey(a, { suite, encryptionContext: context, dataKey });
      const [edk1, edk2] = [one.encryptedDataKeys[0]!, two.encryptedDataKeys[0]!];
      check(!sameBytes(edk1.ciphertext, edk2.ciphertext), 'wrapping is deterministic: both EDKs are equal');
      for (const edk of [edk1, edk2]) {
        const opened = await unwrapDataKey(a, {
          suite,
          encryptionContext: context,
          encryptedDataKeys: [edk],
        });
        check(opened, 'key A returned null for its own EDK');
        assertSameBytes(opened.dataKey, dataKey, 'the unwrapped data key');
      }
    },
  },
  ...sizes.map(
    ([slug, what, size]): ConformanceCase => ({
      id: `round-trip/message-${slug}`,
      title: `encrypts and decrypts a message with ${what}`,
      run: (harness) => messageRoundTrip(harness, size),
    }),
  ),
  {
    id: 'round-trip/message-signed',
    title: 'encrypts and decrypts a multi-frame message with the signed suite 0x0578',
    run: (harness) =>
      messageRoundTrip(harness, 3 * FRAME + 7, Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384),
  },
];
