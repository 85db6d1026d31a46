import { redactCredentials } from '../io/redact.js';
import { printable } from '../io/terminal-text.js';
import type { StopReason } from './failure-policy.js';
import { type FailureGroup, formatFailureGroup, groupFailures } from './failure-groups.js';
import type { FileFailure } from './file-failure.js';
import type { TreeRun } from './run-tree.js';

/** Files listed one by one in the text summary; `--json` lists them all. */
const LISTED_FAILURES = 20;

/** The part of a run's JSON summary that is the same for every command. */
export interface RunOutcome {
  readonly failed: readonly FileFailure[];
  readonly failuresByCause: readonly FailureGroup[];
  readonly stopped: StopReason | undefined;
  readonly notAttempted: number;
  readonly interrupted: boolean;
}

export function runOutcome(run: TreeRun<string>): RunOutcome {
  return {
    failed: run.failed,
    failuresByCause: groupFailures(run.failed),
    stopped: run.stopped,
    notAttempted: run.notAttempted,
    interrupted: run.interrupted,
  };
}

function describeStop(stop: StopReason): string {
  return stop.kind === 'max-failures'
    ? `stopped after ${stop.maxFailures} failures (--max-failures)`
    : `stopped at the first ${stop.failure.code} (on ${printable(stop.failure.file)}), which no retry fixes; ` +
        'fix the key or its permissions, or pass --keep-going to try every file anyway';
}

/** The failure lines of a text summary: grouped causes, some files, why the run stopped early. */
export function formatRunOutcome(outcome: RunOutcome, rerun: string): string[] {
  const lines: string[] = [];
  if (outcome.interrupted) lines.push(`interrupted: ${outcome.notAttempted} files not started`);
  else if (outcome.stopped)
    lines.push(`${describeStop(outcome.stopped)}: ${outcome.notAttempted} files not started`);
  if (outcome.failed.length > 0) {
    lines.push('failures by cause:');
    for (const group of outcome.failuresByCause)
      lines.push(`  ${printable(redactCredentials(formatFailureGroup(group)))}`);
    for (const f of outcome.failed.slice(0, LISTED_FAILURES))
      lines.push(`  failed ${printable(f.file)}: [${printable(f.code)}] ${printable(f.error)}`);
    if (outcome.failed.length > LISTED_FAILURES)
      lines.push(`  … and ${outcome.failed.length - LISTED_FAILURES} more (--json lists every file)`);
  }
  if (outcome.failed.length > 0 || outcome.notAttempted > 0 || outcome.interrupted) lines.push(rerun);
  return lines;
}
