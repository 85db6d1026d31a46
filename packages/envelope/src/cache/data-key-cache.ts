import { zeroize } from '../crypto/zeroize.js';
import { InvalidArgumentError } from '../errors.js';
import type { EncryptedDataKey } from '../keyring/types.js';
import type { ReusableMaterials } from './reusable-materials.js';

/** Materials for encrypting: one data key and its EDKs, reused across messages within limits. */
export interface EncryptionEntry {
  readonly kind: 'encrypt';
  readonly dataKey: Uint8Array;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  /** Handed to `encrypt` with each hit: the EDKs above and the header templates built for them. */
  readonly materials: ReusableMaterials;
  readonly expiresAt: number;
  messages: number;
  bytes: number;
}

/** An unwrapped data key and the digest of the EDK it came from. */
export interface DecryptionEntry {
  readonly kind: 'decrypt';
  readonly dataKey: Uint8Array;
  readonly edkDigest: string;
  readonly expiresAt: number;
}

export type CacheEntry = EncryptionEntry | DecryptionEntry;

/** Messages and plaintext bytes promised out of an encryption entry that is not stored yet. */
export interface Promised {
  messages: number;
  bytes: number;
}

/**
 * An inner call in flight for one cache key. Concurrent misses wait for it instead of making their
 * own call, but only those its result can serve.
 */
export interface PendingCall {
  /** Settles when the call does, after its result is stored. */
  readonly settled: Promise<unknown>;
  /**
   * An encryption call's: what the entry it stores will have served by the time each waiter so far
   * has used it (the starting caller's message first). Undefined for a decryption call, whose
   * unwrapped key serves any number of waiters.
   */
  readonly promised: Promised | undefined;
}

export interface DataKeyCacheOptions {
  /** Entries kept at most; the least recently used is evicted (and zeroed) first. Default 1000. */
  readonly capacity?: number | undefined;
  /** Milliseconds since the epoch; tests inject their own. */
  readonly clock?: (() => number) | undefined;
}

const SWEEP_INTERVAL_MS = 1000;

/**
 * An in-memory LRU of plaintext data keys with expiry. Every plaintext key that leaves the cache
 * (expiry, LRU eviction, exhaustion, `clear`) is zeroed, so callers always receive copies. Keys are
 * opaque strings built by the caching keyring (they contain no secret). One cache may
 * serve several caching keyrings: their partitions keep their entries apart.
 */
export class DataKeyCache {
  readonly #entries = new Map<string, CacheEntry>();
  readonly #pending = new Map<string, PendingCall[]>();
  readonly #capacity: number;
  readonly #clock: () => number;
  #lastSweep = 0;
  #evictions = 0;

  constructor(options: DataKeyCacheOptions = {}) {
    const capacity = options.capacity ?? 1000;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new InvalidArgumentError('the data-key cache capacity must be a positive integer');
    }
    this.#capacity = capacity;
    this.#clock = options.clock ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Entries removed for any reason other than `clear`: expiry, capacity or exhausted limits. */
  get evictions(): number {
    return this.#evictions;
  }

  now(): number {
    return this.#clock();
  }

  /** The live entry under `key`, or undefined (an expired entry is evicted on the way). */
  get(key: string): CacheEntry | undefined {
    this.#sweep();
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#clock()) {
      this.evict(key);
      return undefined;
    }
    // Re-insert: Map order is the LRU order.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry;
  }

  /** Stores `entry`, which the cache now owns (and zeroes on eviction). */
  put(key: string, entry: CacheEntry): void {
    const previous = this.#entries.get(key);
    if (previous && previous !== entry) this.evict(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value as string;
      this.evict(oldest);
    }
  }

  /** Removes and zeroes the entry under `key`. */
  evict(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    zeroize(entry.dataKey);
    this.#evictions++;
  }

  /** Removes and zeroes every entry. */
  clear(): void {
    for (const entry of this.#entries.values()) zeroize(entry.dataKey);
    this.#entries.clear();
  }

  /** The calls in flight for `key`, oldest first: lets concurrent misses share KMS calls. */
  pending(key: string): readonly PendingCall[] {
    return this.#pending.get(key) ?? [];
  }

  /** Runs `call` as one in flight for `key` until it settles. */
  async runPending<T>(key: string, call: Promise<T>, promised?: Promised): Promise<T> {
    const record: PendingCall = { settled: call, promised };
    this.#pending.set(key, [...this.pending(key), record]);
    try {
      return await call;
    } finally {
      const left = this.pending(key).filter((other) => other !== record);
      if (left.length > 0) this.#pending.set(key, left);
      else this.#pending.delete(key);
    }
  }

  #sweep(): void {
    const now = this.#clock();
    if (now - this.#lastSweep < SWEEP_INTERVAL_MS) return;
    this.#lastSweep = now;
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.evict(key);
  }
}
