import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { FramePool, MAX_POOL_SIZE } from '@polykms/envelope';
import { CliError } from './cli-error.js';

/** Inputs at least this large get worker threads unless `--workers` says otherwise. */
export const PARALLEL_INPUT_BYTES = 8 * 1024 * 1024;

export function addWorkersOption(command: Command): Command {
  return command.option(
    '--workers <n>',
    `threads that seal or open frames: 0 (this thread), a count, or auto (one per core); default auto for files of ${PARALLEL_INPUT_BYTES >> 20} MiB or more, else 0`,
  );
}

/** How many threads: what `--workers` says, or by default one per core for a file known to be large. */
export function workerCount(flag: string | undefined, inputSize: number | undefined): number {
  if (flag === undefined) {
    return inputSize !== undefined && inputSize >= PARALLEL_INPUT_BYTES ? availableParallelism() : 0;
  }
  if (flag === 'auto') return availableParallelism();
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
