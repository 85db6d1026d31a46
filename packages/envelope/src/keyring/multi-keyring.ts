import { randomBytes } from 'node:crypto';
import {
  ErrorCodes,
  InvalidArgumentError,
  NoDecryptableKeyError,
  type PolykmsError,
  type RecipientFailure,
  RecipientsUnavailableError,
  isPolykmsError,
  recipientFailuresOf,
} from '../errors.js';
import { zeroize } from '../crypto/zeroize.js';
import { unwrapDataKey, wrapDataKey } from './contract.js';
import type {
  EncryptedDataKey,
  Keyring,
  UnwrapRequest,
  UnwrapResult,
  WrapRequest,
  WrapResult,
} from './types.js';

export interface MultiKeyringOptions {
  /** Creates the data key. Required to encrypt without a data key (the usual case). */
  readonly generator?: Keyring | undefined;
  /** Wrap the generator's data key too. */
  readonly children?: readonly Keyring[] | undefined;
  /**
   * Encrypt succeeds when at least this many keyrings (generator included) wrapped the data key;
   * the others are reported in `missingRecipients` so they can be added later by rewrap. Default:
   * all of them (all-or-nothing). The generator must always succeed.
   */
  readonly minRecipients?: number | undefined;
  /** Decrypt tries keyrings in this order; default: generator, then children as given. */
  readonly decryptOrder?: readonly Keyring[] | undefined;
  /**
   * Create the data key here (node:crypto's CSPRNG) and have every keyring, generator included,
   * wrap it at the same time: encrypt then waits for the slowest single recipient instead of the
   * generator followed by the slowest child. Default false: the generator creates the key (for
   * example with KMS GenerateDataKey), as the AWS Encryption SDK does. With this set, the
   * generator is an ordinary recipient and `minRecipients` may leave it out too.
   */
  readonly generateLocally?: boolean | undefined;
}

function asFailure(keyring: Keyring, error: unknown): RecipientFailure {
  if (!isPolykmsError(error)) throw error;
  return { recipient: keyring.description, error: error as PolykmsError };
}

/**
 * Wraps one data key under several keyrings, typically in several clouds, so that any one of
 * them can decrypt. Children wrap in parallel: the latency is the generator's plus the slowest
 * child's, not the sum; with `generateLocally`, just the slowest recipient's.
 */
export class MultiKeyring implements Keyring {
  readonly description: string;
  readonly #generator: Keyring | undefined;
  readonly #children: readonly Keyring[];
  readonly #minRecipients: number;
  readonly #decryptOrder: readonly Keyring[];
  readonly #generateLocally: boolean;
  readonly #all: readonly Keyring[];

  constructor(options: MultiKeyringOptions) {
    this.#generator = options.generator;
    this.#children = [...(options.children ?? [])];
    const all = this.#generator ? [this.#generator, ...this.#children] : [...this.#children];
    if (all.length === 0)
      throw new InvalidArgumentError('a multi-keyring needs a generator or at least one child');
    const min = options.minRecipients ?? all.length;
    if (!Number.isInteger(min) || min < 1 || min > all.length) {
      throw new InvalidArgumentError(`minRecipients must be an integer from 1 to ${all.length}`);
    }
    this.#minRecipients = min;
    this.#generateLocally = options.generateLocally ?? false;
    this.#all = all;
    this.#decryptOrder = options.decryptOrder ?? all;
    for (const keyring of this.#decryptOrder) {
      if (!all.includes(keyring))
        throw new InvalidArgumentError('decryptOrder names a keyring that is not in this multi-keyring');
    }
    this.description = `multi(${all.map((k) => k.description).join(', ')})`;
  }

  async wrap(request: WrapRequest): Promise<WrapResult> {
    let dataKey = request.dataKey;
    let generated: Uint8Array | undefined;
    const encryptedDataKeys: EncryptedDataKey[] = [];
    const failures: RecipientFailure[] = [];
    if (dataKey === undefined && this.#generateLocally) {
      generated = dataKey = randomBytes(request.suite.keyLength);
    } else if (dataKey === undefined) {
      if (!this.#generator) {
        throw new InvalidArgumentError('this multi-keyring has no generator, so it cannot create a data key');
      }
      const first = await wrapDataKey(this.#generator, request);
      generated = dataKey = first.dataKey;
      encryptedDataKeys.push(...first.encryptedDataKeys);
      failures.push(...first.failures);
    }
    // Everyone still to wrap: all keyrings, less the generator if it already created the key.
    const generatorWrapped = generated !== undefined && !this.#generateLocally;
    const others = generatorWrapped ? this.#children : this.#all;
    const key = dataKey;
    const settled = await Promise.allSettled(
      others.map((child) => wrapDataKey(child, { ...request, dataKey: key })),
    );
    try {
      settled.forEach((outcome, i) => {
        if (outcome.status === 'fulfilled') {
          encryptedDataKeys.push(...outcome.value.encryptedDataKeys);
          failures.push(...outcome.value.failures);
        } else {
          failures.push(asFailure(others[i]!, outcome.reason));
        }
      });
      const wrappedBy = (generatorWrapped ? 1 : 0) + settled.filter((s) => s.status === 'fulfilled').length;
      if (wrappedBy < this.#minRecipients) {
        throw new RecipientsUnavailableError(
          failures,
          `only ${wrappedBy} of the required ${this.#minRecipients} recipients wrapped the data key`,
        );
      }
    } catch (error) {
      zeroize(generated);
      throw error;
    }
    return { dataKey: generated, encryptedDataKeys, failures };
  }

  async unwrap(request: UnwrapRequest): Promise<UnwrapResult | null> {
    const failures: RecipientFailure[] = [];
    for (const keyring of this.#decryptOrder) {
      try {
        const result = await unwrapDataKey(keyring, request);
        if (result) return result;
      } catch (error) {
        const inner = isPolykmsError(error, ErrorCodes.NoDecryptableKey) ? recipientFailuresOf(error) : [];
        if (inner.length > 0) failures.push(...inner);
        else failures.push(asFailure(keyring, error));
        if (isPolykmsError(error, 'ERR_CANCELLED')) throw error;
      }
    }
    if (failures.length === 0) return null;
    throw new NoDecryptableKeyError(failures);
  }
}
