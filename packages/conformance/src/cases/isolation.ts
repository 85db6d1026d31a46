import { randomBytes } from 'node:crypto';
import { type EncryptedDataKey, decrypt, encrypt, unwrapDataKey } from '@polykms/envelope';
import { assertSameBytes, check, checkNull, expectNoDataKey, expectRejection } from '../assertions.js';
import { type ConformanceCase, callCount, countCalls, keyrings } from '../case.js';
import { context, foreignEdk, suite, wrapFresh } from '../fixtures.js';
import type { ConformanceHarness } from '../harness.js';
import { tamperings } from '../tamper.js';

/** EDKs a keyring must pass over: other providers, and key A's own EDK under other provider ids. */
function foreignEdks(harness: ConformanceHarness, own: EncryptedDataKey): EncryptedDataKey[] {
  return [
    foreignEdk('raw-other-namespace'),
    foreignEdk('aws-kms-but-not'),
    { ...own, providerId: `${harness.providerId}-other` },
    {
      ...own,
      providerId:
        harness.providerId.toUpperCase() === harness.providerId ? 'x' : harness.providerId.toUpperCase(),
    },
    { ...own, providerId: ` ${harness.providerId}` },
  ];
}

async function keyBSeesKeyAEdk(harness: ConformanceHarness) {
  const { a, b } = await keyrings(harness);
  const { edk } = await wrapFresh(a);
  return unwrapDataKey(b, { suite, encryptionContext: context, encryptedDataKeys: [edk] });
}

/** Wraps with key A first, so that the returned action makes no call of its own but the unwrap. */
async function foreignOnly(harness: ConformanceHarness) {
  const a = await harness.keyringForKeyA();
  const { edk } = await wrapFresh(a);
  const encryptedDataKeys = foreignEdks(harness, edk);
  return () => unwrapDataKey(a, { suite, encryptionContext: context, encryptedDataKeys });
}

async function emptyList(harness: ConformanceHarness) {
  const a = await harness.keyringForKeyA();
  return unwrapDataKey(a, { suite, encryptionContext: context, encryptedDataKeys: [] });
}

async function amongMany(harness: ConformanceHarness) {
  const { a, b } = await keyrings(harness);
  const mine = await wrapFresh(a);
  const bs = await wrapFresh(b);
  const edks = [...foreignEdks(harness, mine.edk), bs.edk, foreignEdk('zzz'), mine.edk, foreignEdk('yyy')];
  return { a, mine, edks };
}

export const isolationCases: readonly ConformanceCase[] = [
  {
    id: 'isolation/key-b-ignores-key-a',
    title: "key B returns null for key A's EDK",
    async run(harness) {
      checkNull(await keyBSeesKeyAEdk(harness), "key B must return null for key A's EDK");
    },
  },
  {
    id: 'isolation/key-b-ignores-key-a-no-call',
    title: "key B ignores key A's EDK without a KMS call",
    needs: callCount,
    async run(harness) {
      const { a, b } = await keyrings(harness);
      const { edk } = await wrapFresh(a);
      const { result, calls } = await countCalls(harness, () =>
        unwrapDataKey(b, { suite, encryptionContext: context, encryptedDataKeys: [edk] }),
      );
      checkNull(result, "key B must return null for key A's EDK");
      check(calls === 0, `key B made ${calls} KMS call(s) for an EDK that names key A`);
    },
  },
  {
    id: 'isolation/relabelled-edk',
    title: "key B refuses key A's ciphertext relabelled with key B's provider info",
    async run(harness) {
      const { a, b } = await keyrings(harness);
      const fromA = await wrapFresh(a);
      const fromB = await wrapFresh(b);
      const relabelled = { ...fromA.edk, providerInfo: fromB.edk.providerInfo };
      await expectNoDataKey(
        unwrapDataKey(b, { suite, encryptionContext: context, encryptedDataKeys: [relabelled] }),
        "key B's unwrap of key A's ciphertext under key B's provider info",
      );
    },
  },
  {
    id: 'isolation/message-for-other-key',
    title: 'a message for key A does not decrypt with key B (ERR_NO_DECRYPTABLE_KEY)',
    async run(harness) {
      const { a, b } = await keyrings(harness);
      const { message } = await encrypt(randomBytes(100), { keyring: a, encryptionContext: context });
      const error = await expectRejection(decrypt(message, { keyring: b }), 'decrypting with key B');
      check(
        error.code === 'ERR_NO_DECRYPTABLE_KEY',
        `decrypting with key B failed with ${error.code}, not ERR_NO_DECRYPTABLE_KEY`,
      );
    },
  },
  {
    id: 'isolation/foreign-providers',
    title: 'returns null for EDKs of other providers, including its own ciphertext under another provider id',
    async run(harness) {
      checkNull(await (await foreignOnly(harness))(), 'key A must return null for EDKs of other providers');
    },
  },
  {
    id: 'isolation/foreign-providers-no-call',
    title: 'skips EDKs of other providers without a KMS call',
    needs: callCount,
    async run(harness) {
      const { result, calls } = await countCalls(harness, await foreignOnly(harness));
      checkNull(result, 'key A must return null for EDKs of other providers');
      check(calls === 0, `${calls} KMS call(s) for EDKs of other providers`);
    },
  },
  {
    id: 'isolation/empty-edk-list',
    title: 'returns null for an empty EDK list',
    async run(harness) {
      checkNull(await emptyList(harness), 'key A must return null for an empty EDK list');
    },
  },
  {
    id: 'isolation/empty-edk-list-no-call',
    title: 'returns null for an empty EDK list without a KMS call',
    needs: callCount,
    async run(harness) {
      const { result, calls } = await countCalls(harness, () => emptyList(harness));
      checkNull(result, 'key A must return null for an empty EDK list');
      check(calls === 0, `${calls} KMS call(s) for an empty EDK list`);
    },
  },
  {
    id: 'isolation/right-edk-among-many',
    title: "finds its EDK among foreign ones and another key's, and reports which one it opened",
    async run(harness) {
      const { a, mine, edks } = await amongMany(harness);
      const opened = await unwrapDataKey(a, { suite, encryptionContext: context, encryptedDataKeys: edks });
      check(opened, 'key A returned null although one EDK was its own');
      check(
        opened.encryptedDataKey === edks[edks.indexOf(mine.edk)],
        'the unwrap result names the wrong EDK (it must be the very object it opened)',
      );
      assertSameBytes(opened.dataKey, mine.dataKey, 'the unwrapped data key');
    },
  },
  {
    id: 'isolation/right-edk-among-many-no-extra-call',
    title: 'finds its EDK among many with no more KMS calls than its EDK alone costs',
    needs: callCount,
    async run(harness) {
      const { mine, edks } = await amongMany(harness);
      // Fresh keyrings for both, since an SDK may look the key up once per client (Azure does).
      const open = (encryptedDataKeys: readonly EncryptedDataKey[]) => async () =>
        unwrapDataKey(await harness.keyringForKeyA(), {
          suite,
          encryptionContext: context,
          encryptedDataKeys,
        });
      const alone = await countCalls(harness, open([mine.edk]));
      const crowded = await countCalls(harness, open(edks));
      check(alone.result && crowded.result, 'key A returned null for a list holding its own EDK');
      check(alone.calls >= 1, 'opening its own EDK made no KMS call: is callCount counting?');
      check(
        crowded.calls === alone.calls,
        `the other EDKs cost ${crowded.calls - alone.calls} more KMS call(s)`,
      );
    },
  },
  {
    id: 'isolation/broken-own-edk-first',
    title: 'goes past a broken EDK of its own to a good one later in the list',
    async run(harness) {
      const a = await harness.keyringForKeyA();
      const broken = await wrapFresh(a);
      const good = await wrapFresh(a);
      const tampered = tamperings[0]!.apply(broken.edk);
      const opened = await unwrapDataKey(a, {
        suite,
        encryptionContext: context,
        encryptedDataKeys: [tampered, good.edk],
      });
      check(opened, 'key A returned null although its second EDK is good');
      assertSameBytes(opened.dataKey, good.dataKey, 'the unwrapped data key');
    },
  },
];
