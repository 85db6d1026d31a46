import {
  type Keyring,
  type MessageHeader,
  type Recipient,
  assertDistinguishable,
  matchesAny,
} from '@polykms/envelope';
import { type KeysetKeyring, inspectKeyset, isKeysetEncryptedDataKey, readKeysetFile } from '@polykms/keyset';
import type { KeyUriOptions } from '@polykms/key-uri';
import { CliError } from './cli-error.js';
import { decryptKeyring, encryptKeyring } from './config/keyrings.js';
import { type KeysetFlags, keysetFromOptions, keysetRequested } from './keyset-options.js';
import { RecipientKeyrings } from './recipient-keyrings.js';
import { type NamedKey, recipientsOf } from './recipients.js';
import type { RewrapPlan } from './rewrap-message.js';

export type FileState =
  /** Re-encrypted (or rewritten header-only) now, or would be in a dry run. */
  | 'migrated'
  /** Already where the run moves files: done by an earlier run. */
  | 'already-migrated'
  /** Not a message, or none of its recipients is a source key: not ours to migrate. */
  | 'not-applicable'
  | 'failed';

/** Where a `migrate` run moves messages, and how it recognises the ones already there. */
export interface MigrationTarget {
  /** From the header alone, with no KMS call: what this run does with the file. */
  classify(header: MessageHeader): FileState;
  /**
   * How each file is rewrapped; undefined in a dry run to a keyset, which never opens the keyset
   * (a KMS call) and has nothing to check per file: every recipient is replaced by the keyset.
   */
  readonly plan: RewrapPlan | undefined;
  /** Zeroes the keys this target opened. */
  close(): void;
}

export interface MigrationFlags extends KeysetFlags {
  from?: string[];
  to?: string[];
  key?: string[];
  headerOnly?: boolean;
  /** With `--keyset` and no `--from`: files under keyset versions below this one move to the primary. */
  belowVersion?: string;
}

/** Classifies a file for `--from` → `--to` keys: done when every target is a recipient and no source is. */
export function classifyForKeys(
  header: MessageHeader,
  from: readonly Recipient[],
  to: readonly Recipient[],
): FileState {
  const edks = header.encryptedDataKeys;
  const hasSource = edks.some((edk) => matchesAny(from, edk));
  const hasAllTargets = to.every((target) => edks.some((edk) => target.matches(edk)));
  if (!hasSource && hasAllTargets) return 'already-migrated';
  return hasSource ? 'migrated' : 'not-applicable';
}

/** Classifies a file for a move under keyset `keysetId`: done when its only recipients are that keyset. */
export function classifyForKeyset(
  header: MessageHeader,
  from: readonly Recipient[],
  keysetId: string,
): FileState {
  const edks = header.encryptedDataKeys;
  if (edks.length > 0 && edks.every((edk) => isKeysetEncryptedDataKey(edk, keysetId))) {
    return 'already-migrated';
  }
  return edks.some((edk) => matchesAny(from, edk)) ? 'migrated' : 'not-applicable';
}

/**
 * The target the flags name: `--to` keys, or `--keyset FILE --unlock URI`. Keyrings are built
 * even in a dry run, so that a typo in a URI fails before the report. Only keys named here open
 * data keys, never the ones a header names.
 */
export async function migrationTarget(flags: MigrationFlags, dryRun: boolean): Promise<MigrationTarget> {
  if (!flags.from?.length) {
    throw new CliError(
      'migrate needs at least one --from key (or --keyset FILE --unlock URI alone: files under older keyset versions move to its primary)',
    );
  }
  if (flags.belowVersion !== undefined) {
    throw new CliError('--below-version applies to `migrate DIR --keyset FILE` without --from');
  }
  const from = await recipientsOf(flags.from, { keyInParticular: '--from' });
  const openers = [...flags.from, ...(flags.key ?? [])];
  if (flags.keyset !== undefined) return keysetTarget(flags, from, openers, dryRun);
  if (!flags.to?.length) throw new CliError('migrate needs at least one --to key, or --keyset FILE');
  const to = await recipientsOf(flags.to);
  try {
    assertDistinguishable(from, to);
  } catch (error) {
    throw new CliError(
      `${(error as Error).message} (\`polykms keys generate FILE --name NAME\` gives a key a name of its own)`,
    );
  }
  const plan: RewrapPlan = {
    unwrapKeyring: await decryptKeyring(openers, undefined),
    addKeyring: await encryptKeyring(flags.to, '--to'),
    added: to,
    removed: from,
    keyrings: new RecipientKeyrings([...to, ...(await recipientsOf(flags.key ?? []))]),
    method: flags.headerOnly ? 'header-only' : 're-encrypt',
  };
  return { classify: (header) => classifyForKeys(header, from, to), plan, close: () => {} };
}

/**
 * Every recipient of a migrated file is replaced by the keyset (one re-encryption: new message id,
 * new data key), so that every later move between clouds is one `keyset rewrap` of the keyset.
 *
 * No (key, nonce) pair repeats, whatever the retries, copies or concurrent runs: each attempt
 * draws a fresh data key and message id (the body's keys are derived from both), and the keyset
 * wraps that data key under a key of its own derived from a fresh random salt (KeysetKeyring).
 * A retried or concurrent attempt on the same file is a new encryption, never a rewrite of one.
 */
async function keysetTarget(
  flags: MigrationFlags,
  from: readonly Recipient[],
  openers: readonly string[],
  dryRun: boolean,
): Promise<MigrationTarget> {
  if (flags.headerOnly) {
    throw new CliError('--keyset always re-encrypts: a header-only rewrite would keep the old data key');
  }
  const replaced = { '--to': flags.to };
  if (!keysetRequested(flags, replaced)) throw new CliError('give --keyset FILE');
  const unwrapKeyring = await decryptKeyring(openers, undefined);
  if (dryRun) {
    // Read, not opened: a dry run calls no KMS. The id is unauthenticated, which is enough to report.
    const { keysetId } = inspectKeyset(await readKeysetFile(flags.keyset));
    if (flags.keysetId !== undefined && flags.keysetId !== keysetId) {
      throw new CliError(`the --keyset file holds keyset ${keysetId}, not ${flags.keysetId}`);
    }
    return { classify: (header) => classifyForKeyset(header, from, keysetId), plan: undefined, close() {} };
  }
  const opened = await keysetFromOptions(flags, replaced);
  if (!opened) throw new CliError('give --keyset FILE');
  const { keysetId } = opened.keyset;
  return {
    classify: (header) => classifyForKeyset(header, from, keysetId),
    plan: keysetRewrapPlan(unwrapKeyring, opened.keyring, keysetId, flags.keyset),
    close: () => opened.close(),
  };
}

/**
 * The plan that re-encrypts a message with an opened keyset (`keyring`, of keyset `keysetId`) as its
 * only recipient. `file` names the keyset in errors; `settings` reach the clouds (the environment's by default).
 */
export function keysetRewrapPlan(
  unwrapKeyring: Keyring,
  keyring: KeysetKeyring,
  keysetId: string,
  file: string,
  settings?: KeyUriOptions,
): RewrapPlan {
  const underKeyset: NamedKey = {
    uri: file,
    name: `keyset ${keysetId}`,
    localKeyring: keyring,
    matches: (edk) => isKeysetEncryptedDataKey(edk, keysetId),
  };
  return {
    unwrapKeyring,
    addKeyring: keyring,
    added: [underKeyset],
    removed: 'all',
    // The keyset's own keyring verifies each new file before it replaces the old one.
    keyrings: new RecipientKeyrings([underKeyset], settings),
    method: 're-encrypt',
  };
}
