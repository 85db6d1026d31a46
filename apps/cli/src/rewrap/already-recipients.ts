import type { EncryptedDataKey, Recipient } from '@polykms/envelope';
import { printable } from '../io/terminal-text.js';

export interface AddedKeys<R extends Recipient = Recipient> {
  /** Keys to wrap the data key for: not recipients yet. */
  readonly toAdd: readonly R[];
  /** Keys already recipients of the message: adding them again would change nothing. */
  readonly present: readonly R[];
}

/**
 * Splits `--add-key`s into those the message lacks and those it already has. A cloud key is
 * recognised from the key its EDK names; a key known by a label only (a local key: namespace and
 * name, which another key file may share) is never taken for present: what to do with it stays
 * with the rewrap policy (`keptRecipients`), which refuses it.
 */
export function splitAddedKeys<R extends Recipient>(
  edks: readonly EncryptedDataKey[],
  added: readonly R[],
): AddedKeys<R> {
  const isPresent = (key: R) => key.label === undefined && edks.some((edk) => key.matches(edk));
  return { toAdd: added.filter((key) => !isPresent(key)), present: added.filter(isPresent) };
}

/** What to tell the user about keys already present; the second line when nothing is left to do. */
export function describeAlreadyPresent(split: AddedKeys, removing: number): string[] {
  const lines = split.present.map(
    (key) => `${printable(key.name)} is already a recipient of this message: not added again`,
  );
  if (split.present.length > 0 && split.toAdd.length === 0 && removing === 0)
    lines.push('nothing to change: the message is left as it is');
  return lines;
}
