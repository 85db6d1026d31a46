import { randomUUID } from 'node:crypto';
import { InvalidArgumentError, isPolykmsError } from '../errors.js';
import { throwIfAborted, untilAborted } from '../stream/cancellation.js';
import { unwrapDataKey, wrapDataKey } from '../keyring/contract.js';
import type { Keyring, UnwrapRequest, UnwrapResult, WrapRequest, WrapResult } from '../keyring/types.js';
import { decryptionCacheKey, edkDigest, encryptionCacheKey } from './cache-key.js';
import { DataKeyCache, type EncryptionEntry, type PendingCall } from './data-key-cache.js';
import { keyringIdentity } from './keyring-identity.js';
import { ReusableWrapResult } from './reusable-materials.js';

export interface CachingKeyringOptions {
  /** The keyring whose calls are saved. */
  readonly keyring: Keyring;
  /** Default: a new cache of 1000 entries for this keyring alone. */
  readonly cache?: DataKeyCache | undefined;
  /** Required: how long, in milliseconds, a data key may be used after the KMS created or opened it. */
  readonly maxAge: number;
  /** Messages one data key may encrypt. Default and maximum 2^32. */
  readonly maxMessages?: number | undefined;
  /** Plaintext bytes one data key may encrypt. Default Number.MAX_SAFE_INTEGER. */
  readonly maxBytes?: number | undefined;
  /**
   * Entries are shared only between caching keyrings in front of the same keyring object and with
   * the same partition. Default: a random one, so that two caching keyrings never share keys unless
   * they are given the same partition on purpose.
   */
  readonly partition?: string | undefined;
}

/** The KMS calls a batch cost, and the ones it saved. */
export interface CachingKeyringStats {
  /** Wraps and unwraps answered from the cache. */
  readonly hits: number;
  /** Wraps and unwraps that had to call the inner keyring for a cacheable request. */
  readonly misses: number;
  /** Calls to the inner keyring's wrap, cached or not. */
  readonly innerWraps: number;
  /** Calls to the inner keyring's unwrap. */
  readonly innerUnwraps: number;
  /** Entries of the cache evicted (expired, exhausted or over capacity), all keyrings sharing it. */
  readonly evictions: number;
}

const MAX_MESSAGES = 2 ** 32;

/** How a wait for another request's call ended: it settled, or its caller cancelled it. */
type SharedOutcome = 'settled' | 'retry';

function positive(name: string, value: number, max: number): number {
  if (!(typeof value === 'number' && value > 0 && value <= max && Number.isFinite(value))) {
    throw new InvalidArgumentError(`${name} must be a number greater than 0 and at most ${max}`);
  }
  return value;
}

/**
 * A keyring in front of another that reuses data keys, the way the AWS Encryption SDK's caching
 * materials manager does: one data key (and its EDKs) serves many messages of the same suite and
 * encryption context until it reaches `maxAge`, `maxMessages` or `maxBytes`. Reuse is safe because
 * each message still derives its own key from the data key and its random message id. Concurrent
 * misses share inner calls: each call in flight serves as many waiting requests as its data key's
 * limits allow, and a request that fits none starts another call at once, in parallel. Unwrapped
 * keys are cached too, by EDK set.
 *
 * Not cached: signed suites (each message carries its own signing key in the context), wraps of a
 * data key someone else created (as a multi-keyring child), encrypts whose plaintext length is
 * unknown (the byte limit could not be enforced; streams can pass `plaintextLength`), encrypts
 * under `maxMessages: 1`, and wraps that left recipients missing.
 */
export class CachingKeyring implements Keyring {
  readonly description: string;
  readonly cache: DataKeyCache;
  readonly #inner: Keyring;
  readonly #innerId: string;
  readonly #maxAge: number;
  readonly #maxMessages: number;
  readonly #maxBytes: number;
  readonly #partition: string;
  #hits = 0;
  #misses = 0;
  #innerWraps = 0;
  #innerUnwraps = 0;

  constructor(options: CachingKeyringOptions) {
    if (options.maxAge === undefined) {
      throw new InvalidArgumentError(
        'a caching keyring needs maxAge: how long a data key may be reused, in ms',
      );
    }
    this.#maxAge = positive('maxAge', options.maxAge, Number.MAX_SAFE_INTEGER);
    this.#maxMessages = Math.floor(
      positive('maxMessages', options.maxMessages ?? MAX_MESSAGES, MAX_MESSAGES),
    );
    this.#maxBytes = positive(
      'maxBytes',
      options.maxBytes ?? Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER,
    );
    this.#inner = options.keyring;
    this.#innerId = keyringIdentity(options.keyring);
    this.cache = options.cache ?? new DataKeyCache();
    this.#partition = options.partition ?? randomUUID();
    this.description = `caching(${options.keyring.description})`;
  }

  stats(): CachingKeyringStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      innerWraps: this.#innerWraps,
      innerUnwraps: this.#innerUnwraps,
      evictions: this.cache.evictions,
    };
  }

  async wrap(request: WrapRequest): Promise<WrapResult> {
    const length = request.plaintextLength;
    const cacheable =
      request.dataKey === undefined &&
      !request.suite.signature &&
      this.#maxMessages > 1 &&
      length !== undefined &&
      length >= 0 &&
      length <= this.#maxBytes;
    if (!cacheable) return this.#wrapInner(request);
    const key = encryptionCacheKey(this.#partition, this.#innerId, request.suite, request.encryptionContext);
    for (;;) {
      const hit = this.#useEncryptionEntry(key, length);
      if (hit) {
        this.#hits++;
        return hit;
      }
      // Join the first call in flight whose key is not promised up yet; if none, start one at once
      // (in parallel with the others) rather than queue for the next.
      const pending = this.cache
        .pending(key)
        .find(({ promised }) => promised && this.#withinLimits(promised.messages, promised.bytes, length));
      const promised = pending?.promised;
      if (!pending || !promised) {
        this.#misses++;
        const mine = { messages: 1, bytes: length };
        return this.cache.runPending(key, this.#wrapAndStore(key, request, length), mine);
      }
      promised.messages++;
      promised.bytes += length;
      let outcome: SharedOutcome;
      try {
        outcome = await this.#awaitShared(pending, request.signal);
      } finally {
        // Our share matters only while the call is in flight; an aborted waiter leaves it running.
        promised.messages--;
        promised.bytes -= length;
      }
      if (outcome === 'retry') continue;
      const shared = this.#useEncryptionEntry(key, length);
      if (shared) {
        this.#hits++;
        return shared;
      }
      // It stored nothing (recipients were left out) or others used the entry up: call at once,
      // alone, rather than wait in line for the next call.
      this.#misses++;
      return this.#wrapAndStore(key, request, length);
    }
  }

  async unwrap(request: UnwrapRequest): Promise<UnwrapResult | null> {
    const key = decryptionCacheKey(
      this.#partition,
      this.#innerId,
      request.suite,
      request.encryptionContext,
      request.encryptedDataKeys,
    );
    for (;;) {
      const hit = this.#useDecryptionEntry(key, request);
      if (hit) {
        this.#hits++;
        return hit;
      }
      // An unwrapped key serves any number of requests: there is at most one call in flight.
      const [pending] = this.cache.pending(key);
      if (!pending) {
        this.#misses++;
        return this.cache.runPending(key, this.#unwrapAndStore(key, request));
      }
      if ((await this.#awaitShared(pending, request.signal)) === 'retry') continue;
      const shared = this.#useDecryptionEntry(key, request);
      if (shared) {
        this.#hits++;
        return shared;
      }
      // It found no EDK of the inner keyring's (null), or its entry is gone already.
      this.#misses++;
      return this.#unwrapAndStore(key, request);
    }
  }

  /** Whether an entry that has served `messages` and `bytes` may also serve a message of `length`. */
  #withinLimits(messages: number, bytes: number, length: number): boolean {
    return messages < this.#maxMessages && bytes + length <= this.#maxBytes;
  }

  #useEncryptionEntry(key: string, length: number): WrapResult | undefined {
    const entry = this.cache.get(key);
    if (entry?.kind !== 'encrypt') return undefined;
    if (!this.#withinLimits(entry.messages, entry.bytes, length)) {
      this.cache.evict(key);
      return undefined;
    }
    entry.messages++;
    entry.bytes += length;
    const dataKey = Uint8Array.from(entry.dataKey);
    if (entry.messages >= this.#maxMessages) this.cache.evict(key);
    return new ReusableWrapResult(dataKey, entry.materials);
  }

  #useDecryptionEntry(key: string, request: UnwrapRequest): UnwrapResult | undefined {
    const entry = this.cache.get(key);
    if (entry?.kind !== 'decrypt') return undefined;
    const edk = request.encryptedDataKeys.find((candidate) => edkDigest(candidate) === entry.edkDigest);
    return edk && { dataKey: Uint8Array.from(entry.dataKey), encryptedDataKey: edk };
  }

  async #wrapInner(request: WrapRequest) {
    this.#innerWraps++;
    return wrapDataKey(this.#inner, request);
  }

  async #wrapAndStore(key: string, request: WrapRequest, length: number): Promise<WrapResult> {
    const result = await this.#wrapInner(request);
    if (result.failures.length === 0) {
      const encryptedDataKeys = Object.freeze([...result.encryptedDataKeys]);
      const entry: EncryptionEntry = {
        kind: 'encrypt',
        dataKey: Uint8Array.from(result.dataKey),
        encryptedDataKeys,
        materials: { encryptedDataKeys, headerTemplates: new Map() },
        expiresAt: this.cache.now() + this.#maxAge,
        messages: 1,
        bytes: length,
      };
      this.cache.put(key, entry);
    }
    return result;
  }

  async #unwrapAndStore(key: string, request: UnwrapRequest): Promise<UnwrapResult | null> {
    this.#innerUnwraps++;
    const result = await unwrapDataKey(this.#inner, request);
    if (result) {
      this.cache.put(key, {
        kind: 'decrypt',
        dataKey: Uint8Array.from(result.dataKey),
        edkDigest: edkDigest(result.encryptedDataKey),
        expiresAt: this.cache.now() + this.#maxAge,
      });
    }
    return result;
  }

  /**
   * Waits for another request's inner call, or until this request's own signal aborts
   * (ERR_CANCELLED at once). The call's failure is ours too, except a cancellation by the other
   * caller's signal: then this request tries again.
   */
  async #awaitShared(pending: PendingCall, signal: AbortSignal | undefined): Promise<SharedOutcome> {
    try {
      await untilAborted(pending.settled, signal);
    } catch (error) {
      if (signal?.aborted) throw error; // untilAborted made it this request's ERR_CANCELLED
      if (isPolykmsError(error, 'ERR_CANCELLED')) return 'retry';
      throw error;
    }
    throwIfAborted(signal);
    return 'settled';
  }
}
