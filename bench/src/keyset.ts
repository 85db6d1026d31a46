import { randomBytes } from 'node:crypto';
import { CachingKeyring, encrypt } from '@polykms/envelope';
import { KeysetKeyring, createKeyset, openKeyset, rewrapKeyset } from '@polykms/keyset';
import { RawAesKeyring } from '@polykms/local';
import { ourKeyring } from './keyrings.js';
import { race, rate } from './measure.js';
import { floorKeysetMessage } from './message-floor.js';

export interface KeysetResults {
  /** 1 KiB encrypts per second under a keyset (the data key wrapped locally per message). */
  readonly keysetPerSecond: number;
  /** The same through a CachingKeyring over a raw AES keyring (one data key reused). */
  readonly cachedPerSecond: number;
  /** The node:crypto calls of a keyset message alone (`floorKeysetMessage`). */
  readonly floorPerSecond: number;
  /** Fastest keyset rewrap (open + re-encrypt for a new recipient), ms, per number of messages under it. */
  readonly rewrapMs: ReadonlyMap<number, number>;
}

/**
 * Keyset rows: encrypt cost against the data-key cache, and the cost of moving a keyset to a new
 * recipient with 1 and with `manyMessages` messages written under it (it never reads them, so the
 * two should match).
 */
export async function measureKeysets(
  rateMs: number,
  manyMessages: number,
  rounds: number,
): Promise<KeysetResults> {
  const plaintext = randomBytes(1024);
  const context = { tenant: 'bench' };
  const kek = ourKeyring();
  const newKek = new RawAesKeyring({ keyNamespace: 'bench', keyName: 'key-2', wrappingKey: randomBytes(32) });

  const bytes = await createKeyset({ keyring: kek });
  const keyset = await openKeyset(bytes, { keyring: kek });
  const keysetKeyring = new KeysetKeyring(keyset);
  const cached = new CachingKeyring({ keyring: ourKeyring(), maxAge: 60_000 });
  let keysetPerSecond = 0;
  let cachedPerSecond = 0;
  let floorPerSecond = 0;
  for (let round = 0; round < rounds; round++) {
    keysetPerSecond = Math.max(
      keysetPerSecond,
      await rate(rateMs, () => encrypt(plaintext, { keyring: keysetKeyring, encryptionContext: context })),
    );
    cachedPerSecond = Math.max(
      cachedPerSecond,
      await rate(rateMs, () => encrypt(plaintext, { keyring: cached, encryptionContext: context })),
    );
    floorPerSecond = Math.max(floorPerSecond, await rate(rateMs, async () => floorKeysetMessage(plaintext)));
  }

  // Both keysets are rewrapped in one interleaved race, so that a noisy moment favours neither.
  const one = await keysetWithMessages(1);
  const many = await keysetWithMessages(manyMessages);
  const best = await race(rounds, {
    one: () => rewrapKeyset(one, { unlock: kek, keyring: newKek }),
    many: () => rewrapKeyset(many, { unlock: kek, keyring: newKek }),
  });
  const rewrapMs = new Map([
    [1, best.one],
    [manyMessages, best.many],
  ]);

  async function keysetWithMessages(count: number): Promise<Uint8Array> {
    const set = await createKeyset({ keyring: kek });
    const opened = await openKeyset(set, { keyring: kek });
    const keyring = new KeysetKeyring(opened);
    for (let i = 0; i < count; i++) await encrypt(plaintext, { keyring, encryptionContext: context });
    opened.close();
    return set;
  }
  keyset.close();
  return { keysetPerSecond, cachedPerSecond, floorPerSecond, rewrapMs };
}
