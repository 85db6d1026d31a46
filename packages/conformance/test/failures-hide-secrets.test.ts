import { inspect } from 'node:util';
import {
  type ConformanceHarness,
  conformanceCases,
  errorTexts,
  eventText,
  findSecrets,
  skipReason,
} from '@polykms/conformance';
import type { Keyring } from '@polykms/envelope';
import { describe, expect, it } from 'vitest';
import { createInMemoryKmsHarness } from '../examples/in-memory-kms/harness.js';

/*
 * A case that fails must not print the data key it caught: adapter authors run the suite in CI,
 * whose logs are widely readable. Each test here makes a case fail with a real data key in hand
 * and scans everything the thrown error exposes (message, stack, `actual`, `expected`, nested
 * properties, and what util.inspect prints of it) for that key.
 */

/** Records a copy of every data key `keyring` hands out, so the scan knows what to look for. */
function recording(keyring: Keyring, seen: Uint8Array[]): Keyring {
  return {
    description: keyring.description,
    async wrap(request) {
      const result = await keyring.wrap(request);
      const key = result.dataKey ?? request.dataKey;
      if (key) seen.push(Uint8Array.from(key));
      return result;
    },
    async unwrap(request) {
      const result = await keyring.unwrap(request);
      if (result) seen.push(Uint8Array.from(result.dataKey));
      return result;
    },
  };
}

async function failureOf(id: string, harness: ConformanceHarness): Promise<unknown> {
  const testCase = conformanceCases.find((c) => c.id === id);
  expect(testCase, id).toBeDefined();
  expect(skipReason(testCase!, harness)).toBeUndefined();
  return testCase!.run(harness).then(
    () => expect.unreachable(`${id} passed against a broken keyring`),
    (error: unknown) => error,
  );
}

function leaksIn(error: unknown, keys: readonly Uint8Array[]): string[] {
  const record = error as { actual?: unknown; expected?: unknown };
  const texts = [
    ...errorTexts(error, 'error'),
    { where: 'error.actual', text: eventText(record.actual) ?? '' },
    { where: 'error.expected', text: eventText(record.expected) ?? '' },
    { where: 'util.inspect(error)', text: inspect(error, { depth: null }) },
  ];
  return findSecrets(
    keys.map((bytes, i) => ({ name: `data key ${i}`, bytes })),
    texts,
  );
}

async function expectFailureWithoutKeys(id: string, harness: ConformanceHarness, seen: Uint8Array[]) {
  const error = await failureOf(id, harness);
  expect(seen.length, 'the broken keyring handed out no data key to look for').toBeGreaterThan(0);
  expect(leaksIn(error, seen)).toEqual([]);
}

describe('a failing case does not print the data key it caught', () => {
  it('key B opening key A EDKs: the isolation cases fail without showing the key', async () => {
    for (const id of ['isolation/key-b-ignores-key-a', 'isolation/key-b-ignores-key-a-no-call']) {
      const seen: Uint8Array[] = [];
      const base = createInMemoryKmsHarness();
      const harness = {
        ...base,
        keyringForKeyB: async () => recording(await base.discoveryKeyring!('admit'), seen),
      };
      await expectFailureWithoutKeys(id, harness, seen);
    }
  });

  it('a discovery keyring that admits everything: discovery/refuses fails without showing the key', async () => {
    for (const id of ['discovery/refuses', 'discovery/refuses-no-call']) {
      const seen: Uint8Array[] = [];
      const base = createInMemoryKmsHarness();
      const harness = {
        ...base,
        discoveryKeyring: async () => recording(await base.discoveryKeyring!('admit'), seen),
      };
      await expectFailureWithoutKeys(id, harness, seen);
    }
  });

  it('a keyring that opens EDKs of other providers: isolation/foreign-providers fails without showing the key', async () => {
    const seen: Uint8Array[] = [];
    const base = createInMemoryKmsHarness();
    const harness = {
      ...base,
      keyringForKeyA: async (): Promise<Keyring> => {
        const inner = await base.keyringForKeyA();
        return recording(
          {
            description: inner.description,
            wrap: (request) => inner.wrap(request),
            async unwrap(request) {
              const relabelled = request.encryptedDataKeys.map((edk) => ({
                ...edk,
                providerId: base.providerId,
              }));
              const result = await inner.unwrap({ ...request, encryptedDataKeys: relabelled });
              if (result === null) return null;
              const offered = request.encryptedDataKeys[relabelled.indexOf(result.encryptedDataKey)]!;
              return { dataKey: result.dataKey, encryptedDataKey: offered };
            },
          },
          seen,
        );
      },
    };
    await expectFailureWithoutKeys('isolation/foreign-providers', harness, seen);
  });
});
