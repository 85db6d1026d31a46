import { availableParallelism } from 'node:os';
import { InvalidArgumentError } from '../errors.js';
import { FramePool, MAX_POOL_SIZE } from './frame-pool.js';

/**
 * Where frames are sealed and opened: `0` (default) on the calling thread; `n` on a shared pool of
 * n worker threads; `'auto'` on one of `availableParallelism()` threads; or a pool of your own.
 */
export type WorkersOption = number | 'auto' | FramePool;

const shared = new Map<number, FramePool>();

/** The pool of `size` threads that every caller asking for that many shares (never closed; idle threads do not keep the process alive). */
export function sharedFramePool(size: number): FramePool {
  let pool = shared.get(size);
  if (!pool) {
    pool = new FramePool({ size });
    shared.set(size, pool);
  }
  return pool;
}

export function resolveWorkers(option: WorkersOption | undefined): FramePool | undefined {
  if (option === undefined || option === 0) return undefined;
  if (option instanceof FramePool) return option;
  if (option === 'auto') return sharedFramePool(availableParallelism());
  if (!Number.isInteger(option) || option < 0 || option > MAX_POOL_SIZE) {
    throw new InvalidArgumentError(
      `workers must be 'auto', a pool, or an integer from 0 to ${MAX_POOL_SIZE}`,
    );
  }
  return sharedFramePool(option);
}
