import { type EncryptedDataKey, matchesAny } from '@polykms/envelope';
import { keyUriOfEncryptedDataKey } from '@polykms/key-uri';
import { CliError } from './cli-error.js';
import { printable } from './io/terminal-text.js';
import { recipientsOf } from './recipients.js';

/**
 * The key URIs a rewritten keyset is wrapped for: its present recipients, less `remove`, plus
 * `add`. Each write wraps a new data key, so every recipient must be named as a key, not kept as
 * an EDK: cloud EDKs name their key; a local EDK names only a namespace and key name, so its key
 * file must be among `known` (the --unlock and --add-key URIs), or the recipient is refused.
 *
 * The EDKs come from the header before it is authenticated; the keyset operation then opens
 * these same bytes, and any change to the header fails that, before anything is written.
 */
export async function nextKeysetRecipients(
  edks: readonly EncryptedDataKey[],
  known: readonly string[],
  add: readonly string[],
  remove: readonly string[],
): Promise<string[]> {
  const removed = await recipientsOf(remove, { keyInParticular: '--remove-key' });
  // A --remove-key that matches nothing (a typo, another key's ARN) must not pass as done: the
  // operator would believe a recipient gone that still opens every new generation.
  for (const recipient of removed) {
    if (!edks.some((edk) => recipient.matches(edk))) {
      throw new CliError(
        `--remove-key ${printable(recipient.uri)} is not a recipient of this keyset: nothing to remove ` +
          '(`polykms keyset inspect FILE` lists the recipients)',
      );
    }
  }
  const locals = await recipientsOf(known);
  const uris: string[] = [];
  for (const edk of edks) {
    if (matchesAny(removed, edk)) continue;
    const cloud = keyUriOfEncryptedDataKey(edk.providerId, Buffer.from(edk.providerInfo).toString('utf8'));
    const uri = cloud ?? locals.find((r) => r.label !== undefined && r.matches(edk))?.uri;
    if (uri === undefined) {
      throw new CliError(
        `the keyset has a recipient (provider '${printable(edk.providerId)}') whose key cannot be found from its ` +
          'name alone: name its key file with --unlock (or --add-key on `keyset rewrap`), or drop it with --remove-key',
      );
    }
    if (!uris.includes(uri)) uris.push(uri);
  }
  for (const uri of add) if (!uris.includes(uri)) uris.push(uri);
  if (uris.length === 0)
    throw new CliError('that would leave the keyset with no recipient: add one with --add-key');
  return uris;
}
