import { pipeline } from 'node:stream/promises';
import { createReadStream } from 'node:fs';
import {
  type EncryptedDataKey,
  type Keyring,
  MultiKeyring,
  type RecipientFailure,
  type UnwrapResult,
  type WrapRequest,
  type WrapResult,
  parseHeader,
  rewrap,
  rewrapStream,
} from '@polykms/envelope';
import { AtomicOutput } from './io/atomic-output.js';
import { readHeaderBytes } from './io/header-bytes.js';

/** What a rewrap does to a message's recipients; the body is never touched. */
export interface RewrapPlan {
  /** Opens the data key from one of the message's EDKs. */
  readonly unwrapKeyring: Keyring;
  /** Wraps the data key for the new recipients; undefined = add none. */
  readonly addKeyring: Keyring | undefined;
  /** Which existing EDKs stay in the header. */
  readonly keep: (edk: EncryptedDataKey) => boolean;
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
  const kept = edks.filter(plan.keep);
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
    // The commands replace the original in place by default and warn when a copy is kept.
    retireOriginal: true,
  });
  return { message: result.message, missingRecipients: result.missingRecipients };
}

/**
 * Rewraps a file into `outputPath` (which may be the same file) with constant memory: the new
 * header, then the body streamed through unchanged. The output appears complete or not at all.
 */
export async function rewrapFile(
  inputPath: string,
  outputPath: string,
  plan: RewrapPlan,
): Promise<readonly RecipientFailure[]> {
  const header = parseHeader((await readHeaderBytes(inputPath)).bytes);
  const transform = rewrapStream({
    decryptKeyring: plan.unwrapKeyring,
    keyring: newRecipients(header.encryptedDataKeys, plan),
    mode: 'replace',
    retireOriginal: true,
  });
  const output = await AtomicOutput.create(outputPath);
  try {
    await pipeline(createReadStream(inputPath), transform, output.stream);
    await output.commit();
  } catch (error) {
    await output.abort();
    throw error;
  }
  return transform.missingRecipients;
}
