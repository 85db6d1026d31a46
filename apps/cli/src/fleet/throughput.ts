/**
 * Throughput with an exponentially smoothed rate: one slow file (a cold KMS connection, a large
 * file) moves the ETA a little, not to hours, and a stall still shows within a few samples.
 */
export class Throughput {
  readonly #now: () => number;
  readonly #halfLifeMs: number;
  readonly #started: number;
  #lastSample: number;
  #pendingFiles = 0;
  #pendingBytes = 0;
  #filesPerMs: number | undefined;
  #bytesPerMs: number | undefined;
  files = 0;
  bytes = 0;

  constructor(options: { now?: () => number; halfLifeMs?: number } = {}) {
    this.#now = options.now ?? (() => performance.now());
    this.#halfLifeMs = options.halfLifeMs ?? 10_000;
    this.#started = this.#now();
    this.#lastSample = this.#started;
  }

  /** One more file done, of `bytes` bytes. */
  add(bytes: number): void {
    this.files++;
    this.bytes += bytes;
    this.#pendingFiles++;
    this.#pendingBytes += bytes;
    const now = this.#now();
    const elapsed = now - this.#lastSample;
    // Samples shorter than this are mostly timer noise: accumulate them.
    if (elapsed < 250) return;
    const weight = 1 - 0.5 ** (elapsed / this.#halfLifeMs);
    const files = this.#pendingFiles / elapsed;
    const bytesRate = this.#pendingBytes / elapsed;
    this.#filesPerMs =
      this.#filesPerMs === undefined ? files : this.#filesPerMs + weight * (files - this.#filesPerMs);
    this.#bytesPerMs =
      this.#bytesPerMs === undefined ? bytesRate : this.#bytesPerMs + weight * (bytesRate - this.#bytesPerMs);
    this.#lastSample = now;
    this.#pendingFiles = 0;
    this.#pendingBytes = 0;
  }

  /** Files per second, smoothed; the plain average until the first full sample. */
  filesPerSecond(): number {
    return 1000 * (this.#filesPerMs ?? this.files / Math.max(1, this.#now() - this.#started));
  }

  bytesPerSecond(): number {
    return 1000 * (this.#bytesPerMs ?? this.bytes / Math.max(1, this.#now() - this.#started));
  }

  /** Seconds left for `remainingFiles` at the smoothed rate; undefined before any file is done. */
  etaSeconds(remainingFiles: number): number | undefined {
    const rate = this.filesPerSecond();
    return this.files === 0 || rate <= 0 ? undefined : remainingFiles / rate;
  }
}
