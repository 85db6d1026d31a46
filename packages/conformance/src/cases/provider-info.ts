import { type ConformanceCase, admin, adminOf, all, keyrings } from '../case.js';
import { wrapFresh } from '../fixtures.js';
import type { ConformanceHarness, KeyName } from '../harness.js';
import { check, sameBytes } from '../assertions.js';

const versionPinned = (h: ConformanceHarness) =>
  h.versionPinned ? undefined : 'not applicable: the provider does not need the key version to decrypt';

async function assertNamesCurrentVersion(harness: ConformanceHarness, key: KeyName): Promise<string> {
  const keyring = key === 'A' ? await harness.keyringForKeyA() : await harness.keyringForKeyB();
  const { edk } = await wrapFresh(keyring);
  const info = Buffer.from(edk.providerInfo).toString('utf8');
  const version = await harness.versionPinned!.currentVersion(key);
  check(
    info.includes(version),
    `key ${key}'s provider info "${info}" does not name its version "${version}"`,
  );
  return info;
}

export const providerInfoCases: readonly ConformanceCase[] = [
  {
    id: 'provider-info/names-the-key',
    title: "EDKs carry the provider id, and key A's provider info differs from key B's",
    async run(harness) {
      const { a, b } = await keyrings(harness);
      const fromA = await wrapFresh(a);
      const fromB = await wrapFresh(b);
      for (const { edk } of [fromA, fromB]) {
        check(
          edk.providerId === harness.providerId,
          `an EDK carries provider id ${JSON.stringify(edk.providerId)}, not ${JSON.stringify(harness.providerId)}`,
        );
      }
      check(
        !sameBytes(fromA.edk.providerInfo, fromB.edk.providerInfo),
        'keys A and B write the same provider info',
      );
    },
  },
  {
    id: 'provider-info/names-key-version',
    title: 'EDK provider info names the exact key version that wrapped it',
    needs: versionPinned,
    async run(harness) {
      await assertNamesCurrentVersion(harness, 'A');
      await assertNamesCurrentVersion(harness, 'B');
    },
  },
  {
    id: 'provider-info/names-new-version-after-rotation',
    title: 'after a rotation, new EDKs name the new key version',
    needs: all(versionPinned, admin('rotateKey')),
    async run(harness) {
      const before = await assertNamesCurrentVersion(harness, 'A');
      await adminOf(harness).rotateKey('A');
      const after = await assertNamesCurrentVersion(harness, 'A');
      check(after !== before, 'the provider info did not change with the key version');
    },
  },
];
