import { createReadStream } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type Keyring,
  type MessageHeader,
  type PeekedMessage,
  type RecipientFailure,
  type RewrapMethod,
  type RewrapOptions,
  isPolykmsError,
  keptEncryptedDataKeys,
  decryptStream,
  peekHeader,
  rewrap,
  rewrapStream,
} from '@polykms/envelope';
import { KEYSET_PURPOSE, KeysetContextKeys } from '@polykms/keyset';
import { CliError } from './cli-error.js';
import { ExitCode } from './exit-codes.js';
import type { AtomicOutputOptions } from './io/atomic-output.js';
import { type InPlaceOptions, inPlaceTarget } from './io/in-place.js';
import { openSource, streamToOutput } from './io/stream-io.js';
import { printable } from './io/terminal-text.js';
import type { RecipientKeyrings } from './recipient-keyrings.js';
import type { NamedKey } from './recipients.js';

/** What a rewrap does to a message's recipients, and how. */
export interface RewrapPlan {
  /** Opens the data key from one of the message's EDKs. */
  readonly unwrapKeyring: Keyring;
  /** Wraps the data key for the new recipients; undefined = add none. */
  readonly addKeyring: Keyring | undefined;
  /** The keys being added, to recognise their existing EDKs. */
  readonly added: readonly NamedKey[];
  /** The recipients to drop; `'all'` to replace every one. */
  readonly removed: readonly NamedKey[] | 'all';
  /** Keyrings for kept recipients (re-encryption) and for verifying the output. */
  readonly keyrings: RecipientKeyrings;
  readonly method: RewrapMethod;
}

function rewrapOptions(plan: RewrapPlan): RewrapOptions {
  return {
    decryptKeyring: plan.unwrapKeyring,
    keyring: plan.addKeyring,
    mode: plan.removed === 'all' ? 'replace' : 'add',
    added: plan.added,
    remove: plan.removed === 'all' ? undefined : plan.removed,
    keptRecipientKeyring: plan.keyrings.forEdk,
    method: plan.method,
    // The commands allow header-only only in place, replacing the one copy (see `polykms rewrap --help`).
    retireOriginal: plan.method === 'header-only' ? true : undefined,
  };
}

const KEY_HINTS =
  ' (`polykms inspect FILE` lists the recipients; `polykms keys generate FILE --name NAME` gives a new ' +
  'local key a name of its own; pass a local recipient to keep with --key)';

/**
 * The recipients the header says a rewrap keeps, checked before any KMS call: a key to remove that
 * is not a recipient, an added local key named like a kept recipient, or no recipient left at all
 * are refused now (the library checks again once the header is authenticated).
 */
export function checkPlan(header: MessageHeader, plan: RewrapPlan): number {
  refuseKeyset(header);
  try {
    const kept = keptEncryptedDataKeys(header.encryptedDataKeys, rewrapOptions(plan)).length;
    if (kept === 0 && plan.addKeyring === undefined) {
      throw new CliError('that would leave the message with no recipient: nobody could ever decrypt it');
    }
    return kept;
  } catch (error) {
    if (isPolykmsError(error, 'ERR_INVALID_ARGUMENT')) throw new CliError(`${error.message}${KEY_HINTS}`);
    throw error;
  }
}

/**
 * A keyset is changed only by `keyset rewrap`/`rotate`, which re-encrypt it at its next generation.
 * A message rewrap would leave two different keysets claiming one generation, and a header-only
 * one would tag a second header under the first's key and IV: with both copies an attacker forges
 * the keyset (an old version primary again, at a generation above every --min-generation pin).
 */
function refuseKeyset(header: MessageHeader): void {
  if (header.encryptionContext[KeysetContextKeys.purpose] !== KEYSET_PURPOSE) return;
  throw new CliError(
    'this file is a polykms keyset: change its recipients with `polykms keyset rewrap FILE --unlock URI ' +
      '[--add-key URI]... [--remove-key URI]...`, which writes its next generation',
  );
}

/** Library refusals about recipients, with the command line's hints. */
function withHints(error: unknown): unknown {
  if (isPolykmsError(error, 'ERR_INVALID_ARGUMENT')) return new CliError(`${error.message}${KEY_HINTS}`);
  return error;
}

export interface RewrapOutcome {
  readonly message: Uint8Array;
  readonly missingRecipients: readonly RecipientFailure[];
}

/** Rewraps one whole message in memory (the demo's step). */
export async function rewrapMessage(message: Uint8Array, plan: RewrapPlan): Promise<RewrapOutcome> {
  const result = await rewrap(message, rewrapOptions(plan)).catch((error: unknown) => {
    throw withHints(error);
  });
  return { message: result.message, missingRecipients: result.missingRecipients };
}

/**
 * Decrypts the file just written, to nowhere, with the new recipients' keyrings: proof that the
 * new recipients open it and that every frame authenticates, before it replaces anything.
 */
async function verifyOutput(
  path: string,
  header: MessageHeader | undefined,
  plan: RewrapPlan,
): Promise<void> {
  const keyring = header ? await plan.keyrings.verifierFor(header) : undefined;
  if (!keyring) {
    throw new CliError(
      'cannot verify the new message: no keyring for any of its recipients',
      ExitCode.Generic,
    );
  }
  const discard = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  try {
    await pipeline(
      createReadStream(path),
      decryptStream({ keyring, signedMessages: 'release-before-signature' }),
      discard,
    );
  } catch (error) {
    const reason = isPolykmsError(error) ? `[${error.code}] ${error.message}` : String(error);
    throw new CliError(
      `the new message did not verify, so nothing was replaced: ${printable(reason)}`,
      ExitCode.Generic,
    );
  }
}

/**
 * Rewraps a message whose header has been peeked into `output` (a file, or stdout for `-`) in
 * constant memory. A file output is decrypted with the new recipients before it appears, and
 * appears complete or not at all. `size`, when known, draws a progress bar. `file.replacing`:
 * the output replaces the input file itself (see inPlaceTarget), keeping its mode and owner.
 */
export async function rewrapPeeked(
  peeked: PeekedMessage,
  output: string,
  plan: RewrapPlan,
  size?: number,
  file: AtomicOutputOptions = {},
): Promise<readonly RecipientFailure[]> {
  const transform = rewrapStream(rewrapOptions(plan));
  const body = Readable.from(peeked.message, { objectMode: false });
  await streamToOutput({ stream: body, size }, transform, output, 'rewrapping', {
    ...file,
    verify: (path) => verifyOutput(path, transform.header, plan),
  }).catch((error: unknown) => {
    throw withHints(error);
  });
  return transform.missingRecipients;
}

/** Rewraps one file in place, with no progress bar of its own. */
export async function rewrapFileInPlace(
  path: string,
  plan: RewrapPlan,
  options: InPlaceOptions = {},
): Promise<readonly RecipientFailure[]> {
  const target = await inPlaceTarget(path, options);
  const source = await openSource(target.path);
  try {
    return await rewrapPeeked(await peekHeader(source.stream), target.path, plan, undefined, {
      replacing: target,
    });
  } finally {
    source.stream.destroy();
  }
}
