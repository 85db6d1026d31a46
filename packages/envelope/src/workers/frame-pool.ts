import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InvalidArgumentError } from '../errors.js';
import type { FrameJob, FrameJobResult } from './frame-job.js';

/** Below this many bytes a message is sealed or opened on the calling thread (see `FramePoolOptions`). */
export const DEFAULT_MIN_PARALLEL_BYTES = 1024 * 1024;

/** V8 heap sizes of a frame worker, in MiB (the defaults are sized for applications). */
const WORKER_HEAP_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 };

/** Most threads one pool may start. */
export const MAX_POOL_SIZE = 256;

export interface FramePoolOptions {
  /** Worker threads; default `availableParallelism()`. */
  readonly size?: number | undefined;
  /**
   * Messages smaller than this are handled on the calling thread: handing a job to a worker and
   * back costs tens of microseconds, more than sealing a small message. Default 1 MiB.
   */
  readonly minParallelBytes?: number | undefined;
  /**
   * After each job, run a young-generation collection in the worker. node:crypto allocates a
   * buffer per frame; a worker's V8 frees them only after tens of MiB have piled up, so each
   * thread can add that much to the process's peak memory. A scavenge per job (~1 MiB of frames)
   * costs well under a millisecond. It needs `--expose-gc` set at run time, which also exposes
   * `gc` in contexts created later: off by default in a library, on in the `polykms` CLI.
   */
  readonly collectAfterJobs?: boolean | undefined;
}

interface Pending {
  readonly job: FrameJob;
  readonly resolve: (result: FrameJobResult) => void;
  readonly reject: (error: Error) => void;
}

interface PoolWorker {
  readonly worker: Worker;
  /** Jobs posted to it, oldest first: it answers them in order. */
  readonly posted: Pending[];
}

/**
 * Jobs posted to one worker at a time: the one it runs and the next, waiting in its port. Its next
 * job then starts as soon as it answers, not once this thread's event loop has read the answer and
 * posted another (a busy or descheduled calling thread left workers idle).
 */
const JOBS_POSTED_PER_WORKER = 2;

// In the TypeScript sources (tests), the worker runs from its .ts file (Node strips the types).
const workerUrl = new URL(
  import.meta.url.endsWith('.ts') ? './frame-worker.ts' : './frame-worker.js',
  import.meta.url,
);

/**
 * Worker threads that seal and open frames, kept alive between messages (starting a worker costs
 * milliseconds and megabytes). Threads start on first use; an idle pool never keeps the process
 * alive (its threads are unref'd while idle). `close` ends them; a closed pool refuses new jobs.
 */
export class FramePool {
  readonly size: number;
  readonly minParallelBytes: number;
  readonly #collect: boolean;
  readonly #workers: PoolWorker[] = [];
  readonly #queue: Pending[] = [];
  #closed = false;

  constructor(options: FramePoolOptions = {}) {
    const size = options.size ?? availableParallelism();
    if (!Number.isInteger(size) || size < 1 || size > MAX_POOL_SIZE) {
      throw new InvalidArgumentError(`a frame pool's size must be an integer from 1 to ${MAX_POOL_SIZE}`);
    }
    const minBytes = options.minParallelBytes ?? DEFAULT_MIN_PARALLEL_BYTES;
    if (!Number.isInteger(minBytes) || minBytes < 0) {
      throw new InvalidArgumentError('minParallelBytes must be a non-negative integer');
    }
    this.size = size;
    this.minParallelBytes = minBytes;
    this.#collect = options.collectAfterJobs ?? false;
  }

  /** Runs one job on the next free worker. */
  run(job: FrameJob): Promise<FrameJobResult> {
    if (this.#closed) return Promise.reject(new InvalidArgumentError('this frame pool is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ job, resolve, reject });
      this.#dispatch();
    });
  }

  /** Ends every thread; jobs still queued or running fail. */
  async close(): Promise<void> {
    this.#closed = true;
    const queued = this.#queue.splice(0);
    for (const pending of queued) pending.reject(new InvalidArgumentError('the frame pool was closed'));
    const workers = this.#workers.splice(0);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const target = this.#leastBusy();
      if (!target) return;
      const pending = this.#queue.shift()!;
      target.posted.push(pending);
      // Referenced while busy, so that a process awaiting a result does not exit under it.
      target.worker.ref();
      target.worker.postMessage(this.#collect ? { ...pending.job, collect: true } : pending.job);
    }
  }

  /** An idle worker, else a new one while the pool may grow, else the least busy one with room. */
  #leastBusy(): PoolWorker | undefined {
    const idle = this.#workers.find((w) => w.posted.length === 0) ?? this.#start();
    if (idle) return idle;
    let least: PoolWorker | undefined;
    for (const w of this.#workers) {
      if (w.posted.length >= JOBS_POSTED_PER_WORKER) continue;
      if (!least || w.posted.length < least.posted.length) least = w;
    }
    return least;
  }

  #start(): PoolWorker | undefined {
    if (this.#workers.length >= this.size) return undefined;
    const entry: PoolWorker = {
      // A worker holds little of its own (a job's frames at a time): a small heap keeps its footprint small.
      worker: new Worker(workerUrl, { resourceLimits: WORKER_HEAP_LIMITS }),
      posted: [],
    };
    entry.worker.unref();
    entry.worker.on('message', (result: FrameJobResult) => {
      const pending = entry.posted.shift();
      if (entry.posted.length === 0) entry.worker.unref();
      pending?.resolve(result);
      this.#dispatch();
    });
    const fail = (error: Error) => {
      const index = this.#workers.indexOf(entry);
      if (index >= 0) this.#workers.splice(index, 1);
      for (const pending of entry.posted.splice(0)) pending.reject(error);
      if (!this.#closed) this.#dispatch();
    };
    entry.worker.on('error', fail);
    entry.worker.on('exit', (code) => fail(new Error(`a frame worker exited (code ${code}) during a job`)));
    this.#workers.push(entry);
    return entry;
  }
}
