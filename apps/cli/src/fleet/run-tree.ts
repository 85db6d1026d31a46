import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode } from '../exit-codes.js';
import { printable } from '../io/terminal-text.js';
import { forEachConcurrently } from '../pool.js';
import { type FailurePolicy, type StopReason, stopReason } from './failure-policy.js';
import { type FileFailure, fileFailure } from './file-failure.js';
import { createTreeProgress } from './tree-progress.js';

export interface TreeRunOptions<S extends string> {
  readonly concurrency: number;
  readonly failurePolicy: FailurePolicy;
  /** Names the work on the progress line: `migrating`, `encrypting`. */
  readonly label: string;
  /** Print a line per file, `state  file`, with `describe` naming the state. */
  readonly verbose: boolean;
  readonly describe?: (state: S) => string;
  /**
   * Ctrl-C: called with what was done so far, before the process exits 130. Files in flight are
   * neither done nor failed: their outputs are temporary files, removed on exit.
   */
  readonly onInterrupt: (partial: TreeRun<S>) => void;
}

/** What a command over a tree (encrypt -r, decrypt -r) takes besides its own settings. */
export interface TreeWorkOptions<S extends string>
  extends Pick<TreeRunOptions<S>, 'concurrency' | 'failurePolicy' | 'verbose' | 'onInterrupt'> {
  /** Redo files whose output exists, replacing it. */
  readonly force: boolean;
  /** Report what would be done; write nothing, call no KMS. */
  readonly dryRun: boolean;
}

export interface TreeRun<S extends string> {
  /** Files this worker took (its shard). */
  readonly files: number;
  readonly counts: Readonly<Record<S, number>>;
  readonly failed: readonly FileFailure[];
  /** Set when the failure policy stopped the run before every file was tried. */
  readonly stopped: StopReason | undefined;
  /** Files never started, because the run stopped or was interrupted. */
  readonly notAttempted: number;
  readonly interrupted: boolean;
}

/**
 * Runs `work` on each file under `root` (at most `concurrency` at once), counting outcomes by
 * state and recording failures, until every file was tried or the failure policy says stop.
 * A failure of one file never stops the others already in flight.
 */
export async function runTree<S extends string>(
  root: string,
  files: readonly string[],
  states: readonly S[],
  work: (file: string) => Promise<S>,
  options: TreeRunOptions<S>,
): Promise<TreeRun<S>> {
  const counts = Object.fromEntries(states.map((s) => [s, 0])) as Record<S, number>;
  const failed: FileFailure[] = [];
  let started = 0;
  let stopped: StopReason | undefined;
  const halt = new AbortController();
  const progress = createTreeProgress(files.length, options.label);
  const log = (file: string, what: string) => {
    if (options.verbose) process.stderr.write(`${what.padEnd(18)} ${printable(file)}\n`);
  };
  const snapshot = (interrupted: boolean): TreeRun<S> => ({
    files: files.length,
    counts: { ...counts },
    failed: [...failed],
    stopped,
    notAttempted: files.length - started,
    interrupted,
  });

  const onSigint = () => {
    progress.stop();
    options.onInterrupt(snapshot(true));
    // 'exit' handlers remove the temporary files of the files in flight.
    process.exit(ExitCode.Interrupted);
  };
  // Ahead of the output files' own handler, which exits at once.
  process.prependListener('SIGINT', onSigint);
  try {
    await forEachConcurrently(
      files,
      options.concurrency,
      async (file) => {
        started++;
        const size = (await lstat(join(root, file)).catch(() => undefined))?.size ?? 0;
        try {
          const state = await work(file);
          counts[state]++;
          log(file, options.describe?.(state) ?? state);
        } catch (error) {
          failed.push(fileFailure(file, error));
          log(file, 'failed');
          stopped ??= stopReason(options.failurePolicy, failed);
          if (stopped) halt.abort();
        } finally {
          progress.fileDone(size);
        }
      },
      halt.signal,
    );
  } finally {
    process.removeListener('SIGINT', onSigint);
    progress.stop();
  }
  return snapshot(false);
}
