import { InvalidArgumentError } from '../errors.js';
import type { EncryptedDataKey, Keyring } from '../keyring/types.js';

/** A key the caller names, recognised in a header without a KMS call. */
export interface Recipient {
  /** How errors name it (a key URI, an ARN): never key material. */
  readonly name: string;
  /** True when the header says `edk` was made with this key. */
  matches(edk: EncryptedDataKey): boolean;
  /**
   * For keys a header names by a label only (raw keys: `namespace/name`), that label: another key
   * with the same label matches too, so a match does not prove the EDK is this key's.
   */
  readonly label?: string | undefined;
}

/**
 * Under re-encryption, a keyring that wraps for the key `edk` names, or undefined when the caller
 * has none. Called only once the header holding `edk` is authenticated.
 */
export type KeptRecipientKeyring = (
  edk: EncryptedDataKey,
) => Keyring | undefined | Promise<Keyring | undefined>;

export interface RecipientChange {
  readonly mode: 'replace' | 'add';
  readonly added?: readonly Recipient[] | undefined;
  readonly remove?: readonly Recipient[] | undefined;
}

export function matchesAny(recipients: readonly Recipient[], edk: EncryptedDataKey): boolean {
  return recipients.some((r) => r.matches(edk));
}

/**
 * The current recipients a rewrap keeps: none for `replace`; for `add`, all but the removed ones
 * and those an added key replaces. An added key known by its label only (a raw key) never drops
 * an EDK of that label for that reason alone, as the EDK may be another key's: that is refused
 * unless the EDK is also being removed. A `remove` that matches no recipient is refused, as a
 * mistyped key would otherwise leave the recipient in place in silence.
 */
export function keptEncryptedDataKeys(
  edks: readonly EncryptedDataKey[],
  change: RecipientChange,
): EncryptedDataKey[] {
  if (change.mode === 'replace') return [];
  const removed = change.remove ?? [];
  const added = change.added ?? [];
  for (const recipient of removed) {
    if (!edks.some((edk) => recipient.matches(edk))) {
      throw new InvalidArgumentError(
        `${recipient.name} is not a recipient of this message: nothing to remove`,
      );
    }
  }
  return edks.filter((edk) => {
    if (matchesAny(removed, edk)) return false;
    const same = added.find((r) => r.matches(edk));
    if (same?.label !== undefined) throw labelCollision(same, same.label);
    return same === undefined;
  });
}

function labelCollision(recipient: Recipient, label: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `the message already has a recipient labelled ${label}, the label ${recipient.name} writes. A header tells ` +
      'raw keys apart by that label only, so adding this key would drop that recipient, which may be ' +
      'another key. If it is another key, give the new key a label of its own; if it is this key, it ' +
      'is already a recipient; to replace it, remove it explicitly.',
  );
}

/**
 * Refuses a migration whose source and target keys a header cannot tell apart (raw keys with the
 * same label, or one key named twice): messages would never stop looking unmigrated.
 */
export function assertDistinguishable(from: readonly Recipient[], to: readonly Recipient[]): void {
  for (const source of from) {
    for (const target of to) {
      if (source.label !== undefined && source.label === target.label) {
        throw new InvalidArgumentError(
          `${source.name} and ${target.name} both write EDKs labelled ${source.label}: a header cannot ` +
            'tell them apart, so migrated messages could not be told from the rest. Give the new key a ' +
            'label of its own and migrate to that.',
        );
      }
      if (source.name === target.name) {
        throw new InvalidArgumentError(`${source.name} is both a key to migrate from and one to migrate to`);
      }
    }
  }
}
