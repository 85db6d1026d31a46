import type { FrameJob, FrameJobResult, FrameTask } from './frame-job.js';
import type { FramePool } from './frame-pool.js';
import { standalone, throwIfFailed } from './run-jobs.js';
import type { SharedKey } from './shared-key.js';

/** Input bytes per job: a round trip to a worker costs tens of microseconds, sealing 1 MiB about 0.5 ms. */
const JOB_BYTES = 1024 * 1024;
/** Staging windows per thread: one being worked on, one queued, one filling. */
const WINDOWS_PER_THREAD = 3;

interface Running {
  readonly result: Promise<FrameJobResult>;
  readonly window: Uint8Array<SharedArrayBuffer>;
}

/**
 * Runs frame tasks whose input is in memory the workers cannot see (the caller's own buffer). Each
 * job's input is copied into a small shared staging window, reused once the job is done: this
 * thread copies into memory that is already mapped, job by job, while the workers run the jobs
 * before it and write the output, faulting in its fresh pages on their own threads. (Copying the
 * whole input into fresh shared memory first kept this thread busy as long as the workers.)
 *
 * `tasks` give `from`, and to open `tagAt`, as offsets into `source`; to open, the tag is staged
 * after the ciphertext. At most `WINDOWS_PER_THREAD` windows per thread exist; when none is free
 * this waits for the oldest job. Every job started is waited for, even after a failure, and every
 * window is zeroed before this settles (when sealing they hold plaintext). Errors as `runFrameJobs`.
 */
export async function runStagedFrameJobs(
  source: Uint8Array,
  pool: FramePool,
  base: Omit<FrameJob, 'frames' | 'key' | 'input'>,
  key: SharedKey,
  tasks: Iterable<FrameTask>,
  largestTask: number,
): Promise<void> {
  const opening = base.op === 'open';
  const windowBytes = Math.max(JOB_BYTES, largestTask + (opening ? base.tagLength : 0));
  const windows: Uint8Array<SharedArrayBuffer>[] = [];
  const running: Running[] = [];
  let window: Uint8Array<SharedArrayBuffer> | undefined;
  let frames: FrameTask[] = [];
  let used = 0;

  const dispatch = (into: Uint8Array<SharedArrayBuffer>) => {
    const result = pool.run({ ...base, input: into.buffer, key: key.buffer, frames });
    result.catch(() => {}); // settled below, in order
    running.push({ result, window: into });
    frames = [];
    used = 0;
    window = undefined;
  };
  // A new window while there may be more, else the oldest job's, once that job is done.
  const acquire = async (): Promise<Uint8Array<SharedArrayBuffer>> => {
    if (windows.length < pool.size * WINDOWS_PER_THREAD) {
      const fresh = new Uint8Array(new SharedArrayBuffer(windowBytes));
      windows.push(fresh);
      return fresh;
    }
    const oldest = running.shift()!;
    throwIfFailed(await oldest.result);
    return oldest.window;
  };

  try {
    for (const task of tasks) {
      const staged = task.length + (opening ? base.tagLength : 0);
      if (window && used + staged > window.length) dispatch(window);
      window ??= await acquire();
      window.set(source.subarray(task.from, task.from + task.length), used);
      if (opening) window.set(source.subarray(task.tagAt, task.tagAt + base.tagLength), used + task.length);
      frames.push(standalone({ ...task, from: used, tagAt: opening ? used + task.length : task.tagAt }));
      used += staged;
      if (used >= JOB_BYTES) dispatch(window);
    }
    if (window && frames.length > 0) dispatch(window);
    for (const { result } of running) throwIfFailed(await result);
  } finally {
    await Promise.allSettled(running.map((r) => r.result));
    for (const staging of windows) staging.fill(0);
  }
}
