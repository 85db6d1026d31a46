import { DecryptionFailedError } from '../errors.js';
import type { FrameJob, FrameJobResult, FrameTask } from './frame-job.js';
import type { FramePool } from './frame-pool.js';
import type { SharedKey } from './shared-key.js';

/** Jobs per thread: a few, so that a thread that falls behind (a noisy neighbour) is caught up by the others. */
const JOBS_PER_THREAD = 4;
/** Smallest job worth a round trip to a worker. */
const MIN_JOB_BYTES = 256 * 1024;

/**
 * Splits `tasks` into consecutive jobs, runs them on `pool` and waits for all of them, even when
 * one fails, so that the caller may zero the key and the buffers as soon as this settles. An
 * unauthenticated frame fails the whole call with `DecryptionFailedError`, whatever the order in
 * which the jobs finish.
 */
export async function runFrameJobs(
  pool: FramePool,
  base: Omit<FrameJob, 'frames' | 'key'>,
  key: SharedKey,
  tasks: Iterable<FrameTask>,
  totalBytes: number,
  jobsPerThread = JOBS_PER_THREAD,
): Promise<void> {
  const jobBytes = Math.max(MIN_JOB_BYTES, Math.ceil(totalBytes / (pool.size * jobsPerThread)));
  // Each job goes out as soon as it is assembled (`tasks` may copy its input as it goes), so the
  // first workers start while this thread prepares the rest.
  const running: Promise<FrameJobResult>[] = [];
  let frames: FrameTask[] = [];
  let bytes = 0;
  try {
    for (const task of tasks) {
      frames.push(standalone(task));
      bytes += task.length;
      if (bytes >= jobBytes) {
        running.push(pool.run({ ...base, key: key.buffer, frames }));
        frames = [];
        bytes = 0;
      }
    }
    if (frames.length > 0) running.push(pool.run({ ...base, key: key.buffer, frames }));
  } finally {
    await Promise.allSettled(running);
  }
  for (const result of await Promise.all(running)) throwIfFailed(result);
}

/** A failed job as the error the caller sees: any unauthenticated frame is `DecryptionFailedError`. */
export function throwIfFailed(result: FrameJobResult): void {
  if (result.ok) return;
  if (result.reason === 'authentication') throw new DecryptionFailedError();
  throw new Error(`a frame worker failed: ${result.message}`);
}

/**
 * The task with its IV and AAD in arrays of their own. Small Buffers are views of Node's shared
 * 8 KiB allocation pool, and posting a view to a worker copies its whole ArrayBuffer: 16 KiB per
 * frame instead of ~90 bytes.
 */
export function standalone(task: FrameTask): FrameTask {
  return { ...task, iv: Uint8Array.from(task.iv), aad: Uint8Array.from(task.aad) };
}
