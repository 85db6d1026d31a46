import type { EncryptedDataKey, Keyring } from '@polykms/envelope';
import { type KeyUri, encryptedDataKeyMatchesUri, keyringFromUri, parseKeyUri } from '@polykms/key-uri';
import { CliError } from './cli-error.js';
import { printable } from './io/terminal-text.js';

/** A key named on the command line, and how to recognise its EDKs in a header without a KMS call. */
export interface Recipient {
  readonly uri: string;
  /**
   * For local keys, the namespace and name their EDKs carry. A header names a local key by these
   * alone, so two key files with the same namespace and name look like one recipient.
   */
  readonly localIdentity: { readonly namespace: string; readonly name: string } | undefined;
  matches(edk: EncryptedDataKey): boolean;
}

/** Raw AES provider info is the key name then 20 bytes (tag bits, IV length, IV); raw RSA's is the name. */
const RAW_AES_INFO_SUFFIX = 4 + 4 + 12;

function localIdentityOf(keyring: Keyring): Recipient['localIdentity'] {
  const { keyNamespace, keyName } = keyring as Partial<Record<'keyNamespace' | 'keyName', unknown>>;
  if (typeof keyNamespace !== 'string' || typeof keyName !== 'string') return undefined;
  return { namespace: keyNamespace, name: keyName };
}

function localMatcher(identity: Recipient['localIdentity']): (edk: EncryptedDataKey) => boolean {
  if (!identity) return () => false;
  const name = Buffer.from(identity.name, 'utf8');
  return (edk) => {
    if (edk.providerId !== identity.namespace) return false;
    const info = edk.providerInfo;
    const sized = info.length === name.length || info.length === name.length + RAW_AES_INFO_SUFFIX;
    return sized && Buffer.from(info.subarray(0, name.length)).equals(name);
  };
}

async function recipientOf(key: KeyUri): Promise<Recipient> {
  if (key.scheme !== 'local') {
    return {
      uri: key.uri,
      localIdentity: undefined,
      matches: (edk) => encryptedDataKeyMatchesUri(key, edk) === true,
    };
  }
  // The key file holds the namespace and name its EDKs carry.
  const localIdentity = localIdentityOf(await keyringFromUri(key));
  return { uri: key.uri, localIdentity, matches: localMatcher(localIdentity) };
}

export interface RecipientsOptions {
  /**
   * The flag these keys were given with, when they must name one key in particular (a recipient
   * to find in a header): an AWS alias is refused there, since a header names the key, never the alias.
   */
  readonly keyInParticular?: string;
}

export async function recipientsOf(
  uris: readonly string[],
  options: RecipientsOptions = {},
): Promise<Recipient[]> {
  const keys = uris.map((uri) => parseKeyUri(uri));
  const flag = options.keyInParticular;
  for (const key of keys) {
    if (flag && key.scheme === 'aws-kms' && key.kind === 'alias') {
      throw new CliError(
        `${flag} ${printable(key.uri)} is an AWS alias: a message names the key an alias pointed to, never ` +
          'the alias, so it matches no recipient. Give the key ARN (`polykms inspect FILE` lists them).',
      );
    }
  }
  return Promise.all(keys.map(recipientOf));
}

export function matchesAny(recipients: readonly Recipient[], edk: EncryptedDataKey): boolean {
  return recipients.some((r) => r.matches(edk));
}

function describeLocal(identity: NonNullable<Recipient['localIdentity']>): string {
  return `${printable(identity.namespace)}/${printable(identity.name)}`;
}

/**
 * The EDKs a rewrap keeps: all but the removed recipients' (`'all'` for `--to`) and the ones an
 * added key replaces. An added cloud key replaces only its own EDKs (the header names the key). An
 * added local key matches by namespace and name only: an EDK of that name may be another key, so it
 * is never dropped for that reason alone. That is refused unless the EDK is also being removed.
 */
export function keptEncryptedDataKeys(
  edks: readonly EncryptedDataKey[],
  added: readonly Recipient[],
  removed: readonly Recipient[] | 'all',
): EncryptedDataKey[] {
  if (removed === 'all') return [];
  return edks.filter((edk) => {
    if (matchesAny(removed, edk)) return false;
    const same = added.find((r) => r.matches(edk));
    if (same?.localIdentity) throw nameCollision(same.uri, same.localIdentity);
    return same === undefined;
  });
}

function nameCollision(uri: string, identity: NonNullable<Recipient['localIdentity']>): CliError {
  return new CliError(
    `the message already has a recipient named ${describeLocal(identity)}, the name ${printable(uri)} ` +
      'writes. A header tells local keys apart by namespace and name only, so adding this key would ' +
      'drop that recipient, which may be another key. If it is another key, give the new key a name of ' +
      'its own (`polykms keys generate FILE --name NAME`) and add that; if it is this key, it is ' +
      'already a recipient; to replace it, remove it explicitly (--remove-key).',
  );
}

/**
 * Refuses a migration whose source and target keys a header cannot tell apart (local keys with
 * the same namespace and name): files would never stop looking unmigrated, or look done when not.
 */
export function assertDistinguishable(from: readonly Recipient[], to: readonly Recipient[]): void {
  for (const source of from) {
    for (const target of to) {
      const a = source.localIdentity;
      const b = target.localIdentity;
      if (a && b && a.namespace === b.namespace && a.name === b.name) {
        throw new CliError(
          `--from ${printable(source.uri)} and --to ${printable(target.uri)} both write EDKs named ` +
            `${describeLocal(a)}: a header cannot tell them apart, so migrate could not tell migrated ` +
            'files from the rest. Give the new key a name of its own (`polykms keys generate FILE ' +
            '--name NAME`) and migrate to that.',
        );
      }
      if (source.uri === target.uri) {
        throw new CliError(`${printable(source.uri)} is both a --from and a --to key`);
      }
    }
  }
}
