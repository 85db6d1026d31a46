import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { FramePool, MAX_POOL_SIZE } from '@polykms/envelope';
import { CliError } from './cli-error.js';

/** Inputs at least this large get worker threads by default (on machines with cores to spare). */
export const PARALLEL_INPUT_BYTES = 8 * 1024 * 1024;

export function addWorkersOption(command: Command): Command {
  return command.option(
    '--workers <n>',
    `threads that seal or open frames: 0 (this thread), a count, or auto (one per core); default for files of ${PARALLEL_INPUT_BYTES >> 20} MiB or more one per core but one, on 3 cores or more, else 0`,
  );
}

/**
 * How many threads: what `--workers` says, or by default, for a file known to be large, one per
 * core but one. This thread reads, writes and copies every frame in and out of the workers' shared
 * memory, so it needs a core of its own: on 2 cores, 2 workers streamed a GiB file no faster than
 * this thread alone (encrypt 197 vs 199 MiB/s, decrypt 123 vs 272, bench `cli` rows) and cost
 * 45-70 MiB more memory (a V8 isolate per thread), so the default there is none.
 */
export function workerCount(
  flag: string | undefined,
  inputSize: number | undefined,
  cores = availableParallelism(),
): number {
  if (flag === undefined) {
    const large = inputSize !== undefined && inputSize >= PARALLEL_INPUT_BYTES;
    return large && cores >= 3 ? cores - 1 : 0;
  }
  if (flag === 'auto') return cores;
  const n = Number(flag);
  if (!Number.isInteger(n) || n < 0 || n > MAX_POOL_SIZE) {
    throw new CliError(`--workers takes auto or an integer from 0 to ${MAX_POOL_SIZE}, got '${flag}'`);
  }
  return n;
}

/**
 * The library's `workers` option: none (0), or a pool whose threads collect their dead frame
 * buffers after each job, so that a streamed gigabyte's peak memory stays flat (see `minorGc`).
 */
export function workersFor(flag: string | undefined, inputSize: number | undefined): FramePool | 0 {
  const size = workerCount(flag, inputSize);
  return size === 0 ? 0 : new FramePool({ size, collectAfterJobs: true });
}
