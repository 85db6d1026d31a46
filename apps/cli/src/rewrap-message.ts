import { Readable } from 'node:stream';
import {
  type EncryptedDataKey,
  type Keyring,
  MultiKeyring,
  type RecipientFailure,
  type UnwrapResult,
  type WrapRequest,
  type WrapResult,
  type PeekedMessage,
  parseHeader,
  peekHeader,
  rewrap,
  rewrapStream,
} from '@polykms/envelope';
import type { AtomicOutputOptions } from './io/atomic-output.js';
import { type InPlaceOptions, inPlaceTarget } from './io/in-place.js';
import { openSource, streamToOutput } from './io/stream-io.js';
import { type Recipient, keptEncryptedDataKeys } from './recipients.js';

/** What a rewrap does to a message's recipients; the body is never touched. */
export interface RewrapPlan {
  /** Opens the data key from one of the message's EDKs. */
  readonly unwrapKeyring: Keyring;
  /** Wraps the data key for the new recipients; undefined = add none. */
  readonly addKeyring: Keyring | undefined;
  /** The keys being added, to recognise their existing EDKs (see keptEncryptedDataKeys). */
  readonly added: readonly Recipient[];
  /** The recipients to drop; `'all'` to replace every one. */
  readonly removed: readonly Recipient[] | 'all';
}

/**
 * Contributes EDKs the message already has. They wrap the very data key being rewrapped, so
 * keeping them is correct without calling their KMS: this is how a rewrap removes some
 * recipients and keeps others, including keys (local ones, or another team's) it could not wrap for.
 */
class RetainedRecipients implements Keyring {
  readonly description = 'retained recipients';
  readonly #edks: readonly EncryptedDataKey[];

  constructor(edks: readonly EncryptedDataKey[]) {
    this.#edks = edks;
  }

  async wrap(_request: WrapRequest): Promise<WrapResult> {
    return { encryptedDataKeys: this.#edks };
  }

  async unwrap(): Promise<UnwrapResult | null> {
    return null;
  }
}

function newRecipients(edks: readonly EncryptedDataKey[], plan: RewrapPlan): Keyring {
  const kept = keptEncryptedDataKeys(edks, plan.added, plan.removed);
  const children = [
    ...(kept.length > 0 ? [new RetainedRecipients(kept)] : []),
    ...(plan.addKeyring ? [plan.addKeyring] : []),
  ];
  const [only] = children;
  if (children.length === 1 && only) return only;
  return new MultiKeyring({ children });
}

export interface RewrapOutcome {
  readonly message: Uint8Array;
  readonly missingRecipients: readonly RecipientFailure[];
}

/** Rewraps one whole message in memory. */
export async function rewrapMessage(message: Uint8Array, plan: RewrapPlan): Promise<RewrapOutcome> {
  const header = parseHeader(message);
  const result = await rewrap(message, {
    decryptKeyring: plan.unwrapKeyring,
    keyring: newRecipients(header.encryptedDataKeys, plan),
    mode: 'replace',
    method: 'header-only',
    // The commands replace the original in place by default and warn when a copy is kept.
    retireOriginal: true,
  });
  return { message: result.message, missingRecipients: result.missingRecipients };
}

/**
 * Rewraps a message whose header has been peeked into `output` (a file, or stdout for `-`) in
 * constant memory: the new header, then the body streamed through unchanged. A file output
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
  const transform = rewrapStream({
    decryptKeyring: plan.unwrapKeyring,
    keyring: newRecipients(peeked.header.encryptedDataKeys, plan),
    mode: 'replace',
    method: 'header-only',
    retireOriginal: true,
  });
  const body = Readable.from(peeked.message, { objectMode: false });
  await streamToOutput({ stream: body, size }, transform, output, 'rewrapping', file);
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
