import { randomFillSync } from 'node:crypto';
import { zeroize } from '../crypto/zeroize.js';
import { InvalidArgumentError } from '../errors.js';
import { MAX_EDK_FIELD_LENGTH } from '../limits.js';
import type {
  EncryptedDataKey,
  Keyring,
  UnwrapRequest,
  UnwrapResult,
  WrapRequest,
  WrapResult,
} from '../keyring/types.js';
import type { AlgorithmSuite } from '../suites.js';
import { AnswerFault } from './answer-checks.js';
import { checkTimeoutMs } from './check-timeout.js';
import { discoveryCannotEncrypt } from './discovery-filter.js';
import type { KeyPolicy } from './key-policy.js';
import { kmsCall } from './kms-call.js';
import type { GenerateAnswer, KmsDriver, KmsKey, OpenAnswer } from './kms-driver.js';
import { providerInfoText } from './provider-info-text.js';
import { NO_RETRY, type RetryOptions, type RetryPolicy, retryPolicy, withRetries } from './retry.js';
import { unwrapFirstWithKey } from './unwrap-first-with-key.js';

/**
 * Longest provider info read as a key name. The longest any provider writes is a key ARN (at
 * most 2,048 characters, all ASCII); an EDK with more is not a key of any KMS keyring.
 */
export const MAX_KMS_KEY_NAME_BYTES = 2048;

export interface KmsKeyringOptions<Key extends KmsKey> {
  readonly driver: KmsDriver<Key>;
  readonly policy: KeyPolicy<Key>;
  /** Default for strict keyrings: `<provider id> <key id>`. Required for discovery. */
  readonly description?: string | undefined;
  /** Deadline of each KMS call (each attempt), in milliseconds; undefined = the SDK's own. */
  readonly timeoutMs?: number | undefined;
  /** Retries of throttled or unavailable calls, over `retryDefaults`. */
  readonly retry?: RetryOptions | undefined;
  /** The provider's default retry policy; default none (for SDKs that retry by themselves). */
  readonly retryDefaults?: RetryPolicy | undefined;
}

const utf8 = new TextEncoder();

function sameKey(a: KmsKey, b: KmsKey): boolean {
  return (a.identity ?? a.id) === (b.identity ?? b.id);
}

/**
 * The portable KMS keyring: one key (strict) or any key a filter admits (discovery), over a
 * `KmsDriver`. It owns everything that is the same on every KMS, once: data-key generation and
 * zeroing, the EDK loop, deadlines, abort, retries, `polykms:kms-call` events, bounds on provider
 * info and every check on what the KMS answered, each fault with one error code.
 *
 * No (key, nonce) pair is chosen here: the KMS encrypts each data key under its own fresh nonce
 * (or, for RSA-OAEP, fresh padding), so copies, retries and concurrent wraps never repeat one.
 */
export class KmsKeyring<Key extends KmsKey> implements Keyring {
  readonly description: string;
  readonly #driver: KmsDriver<Key>;
  readonly #policy: KeyPolicy<Key>;
  readonly #timeoutMs: number | undefined;
  readonly #retry: RetryPolicy;

  constructor(options: KmsKeyringOptions<Key>) {
    const { driver, policy } = options;
    checkTimeoutMs(options.timeoutMs, driver.providerId);
    this.#retry = retryPolicy(options.retry, options.retryDefaults ?? NO_RETRY, driver.providerId);
    this.#driver = driver;
    this.#policy = policy;
    this.#timeoutMs = options.timeoutMs;
    const description =
      options.description ?? (policy.mode === 'strict' ? `${driver.providerId} ${policy.keyId}` : undefined);
    if (description === undefined) {
      throw new InvalidArgumentError('a discovery KmsKeyring needs a description', {
        provider: driver.providerId,
      });
    }
    this.description = description;
  }

  async wrap(request: WrapRequest): Promise<WrapResult> {
    const policy = this.#policy;
    if (policy.mode === 'discovery') {
      throw discoveryCannotEncrypt(this.#driver.providerId, this.description, policy.strictKeyring);
    }
    if (request.dataKey === undefined && this.#driver.generate !== undefined) {
      return this.#generate(request, policy.keyId);
    }
    // Filled in place, so that no copy of the key is left behind in another buffer.
    const generated =
      request.dataKey === undefined ? randomFillSync(new Uint8Array(request.suite.keyLength)) : undefined;
    const dataKey = request.dataKey ?? (generated as Uint8Array);
    try {
      const operation = this.#driver.operations.seal;
      const answer = await this.#call(operation, policy.keyId, request.signal, undefined, (signal) =>
        this.#driver.seal({
          suite: request.suite,
          encryptionContext: request.encryptionContext,
          signal,
          keyId: policy.keyId,
          dataKey,
        }),
      );
      const edk = this.#edk(new AnswerFault(this.#driver.providerId, operation, policy.keyId), answer);
      return { ...(generated ? { dataKey: generated } : {}), encryptedDataKeys: [edk] };
    } catch (error) {
      zeroize(generated);
      throw error;
    }
  }

  async #generate(request: WrapRequest, keyId: string): Promise<WrapResult> {
    const generate = this.#driver.generate!.bind(this.#driver);
    const operation = this.#driver.operations.generate ?? 'GenerateDataKey';
    const fault = new AnswerFault(this.#driver.providerId, operation, keyId);
    const answer = await this.#call<GenerateAnswer>(
      operation,
      keyId,
      request.signal,
      (a) => a.dataKey,
      (signal) =>
        generate({ suite: request.suite, encryptionContext: request.encryptionContext, signal, keyId }),
    );
    const dataKey = ownCopy(answer.dataKey, request.suite);
    if (dataKey === undefined) throw fault.wrongLengthGenerated(request.suite.name);
    try {
      return { dataKey, encryptedDataKeys: [this.#edk(fault, answer)] };
    } catch (error) {
      zeroize(dataKey);
      throw error;
    }
  }

  /** The EDK for a wrap answer, once it passed every check. */
  #edk(
    fault: AnswerFault,
    answer: { ciphertext: Uint8Array | undefined; keyUsed: string | undefined },
  ): EncryptedDataKey {
    const used = this.#keyNamed(answer.keyUsed);
    if (used === undefined || this.#policy.mode !== 'strict' || !this.#policy.sealedWith(used)) {
      throw fault.otherKey(answer.keyUsed);
    }
    const { ciphertext } = answer;
    if (
      !(ciphertext instanceof Uint8Array) ||
      ciphertext.length === 0 ||
      ciphertext.length > MAX_EDK_FIELD_LENGTH
    ) {
      throw fault.missing('ciphertext');
    }
    return {
      providerId: this.#driver.providerId,
      providerInfo: utf8.encode(used.id),
      ciphertext: Uint8Array.from(ciphertext),
    };
  }

  async unwrap(request: UnwrapRequest): Promise<UnwrapResult | null> {
    const policy = this.#policy;
    if (policy.mode === 'strict' && policy.cannotOpen !== undefined) {
      throw new InvalidArgumentError(policy.cannotOpen, {
        provider: this.#driver.providerId,
        keyId: policy.keyId,
      });
    }
    const accepts = policy.mode === 'strict' ? policy.opens : policy.admits;
    return unwrapFirstWithKey(
      request.encryptedDataKeys,
      (edk) => {
        if (edk.providerId !== this.#driver.providerId) return undefined;
        const key = this.#keyNamed(providerInfoText(edk.providerInfo, MAX_KMS_KEY_NAME_BYTES));
        if (key === undefined || !accepts(key)) return undefined;
        return policy.openWith?.(key) ?? key;
      },
      (edk, key) => this.#open(request, edk, key),
      (key) => `${this.#driver.providerId} ${key.id}`,
    );
  }

  async #open(request: UnwrapRequest, edk: EncryptedDataKey, key: Key): Promise<Uint8Array> {
    const { operations } = this.#driver;
    const fault = new AnswerFault(this.#driver.providerId, operations.open, key.id);
    const answer = await this.#call<OpenAnswer>(
      operations.open,
      key.id,
      request.signal,
      (a) => a.dataKey,
      (signal) =>
        this.#driver.open({
          suite: request.suite,
          encryptionContext: request.encryptionContext,
          signal,
          key,
          ciphertext: edk.ciphertext,
        }),
    );
    if (operations.openNamesKey) {
      const used = this.#keyNamed(answer.keyUsed);
      if (used === undefined || !sameKey(used, key)) {
        zeroize(answer.dataKey);
        throw fault.otherKey(answer.keyUsed);
      }
    }
    const dataKey = ownCopy(answer.dataKey, request.suite);
    if (dataKey === undefined) throw fault.wrongLengthOpened(request.suite.name);
    return dataKey;
  }

  /** The key a name from an EDK or a KMS answer stands for, bounded as provider info is. */
  #keyNamed(name: string | undefined): Key | undefined {
    if (name === undefined || name.length === 0 || utf8.encode(name).length > MAX_KMS_KEY_NAME_BYTES) {
      return undefined;
    }
    return this.#driver.keyOf(name);
  }

  /**
   * One KMS operation: its attempts (retried as the policy allows), each under `kmsCall`
   * (deadline, abort, error table, diagnostics event). A data key that arrives after the caller
   * gave up is zeroed, since nobody else will.
   */
  #call<T>(
    operation: string,
    keyId: string,
    signal: AbortSignal | undefined,
    dataKeyOf: ((answer: T) => Uint8Array | undefined) | undefined,
    run: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const options = {
      provider: this.#driver.providerId,
      operation,
      keyId,
      signal,
      timeoutMs: this.#timeoutMs,
      mapError: this.#driver.mapError.bind(this.#driver),
    };
    return withRetries(this.#retry, signal, () =>
      kmsCall(options, (callSignal) => {
        const answer = run(callSignal);
        if (dataKeyOf) {
          answer.then(
            (value) => {
              if (callSignal.aborted) zeroize(dataKeyOf(value));
            },
            () => {},
          );
        }
        return answer;
      }),
    );
  }
}

/**
 * A data key of the suite's length in a buffer of its own (an SDK's bytes may be a view into a
 * larger response buffer), the SDK's bytes zeroed; undefined, with them zeroed, when the length
 * is wrong or there are none.
 */
function ownCopy(key: Uint8Array | undefined, suite: AlgorithmSuite): Uint8Array | undefined {
  if (!(key instanceof Uint8Array)) return undefined;
  const copy = key.length === suite.keyLength ? Uint8Array.from(key) : undefined;
  zeroize(key);
  return copy;
}
