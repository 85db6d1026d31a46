import type { Command } from 'commander';
import { parsePositiveInt, type Shard } from '../options.js';
import type { FailurePolicy } from './failure-policy.js';
import { SHARD_COUNT_ENV, resolveShard } from './shard-auto.js';

export interface FleetFlags {
  shard?: string;
  maxFailures?: string;
  keepGoing?: boolean;
}

/** The failure-handling options every command over a tree takes (migrate, encrypt -r, decrypt -r). */
export function addFailureOptions(command: Command): Command {
  return command
    .option('--max-failures <n>', 'stop taking new files once this many failed')
    .option(
      '--keep-going',
      'go on after a failure no retry can fix (access denied, key disabled or not found), which stops the run by default',
    );
}

export const SHARD_HELP =
  `take only this worker’s share of the files (0 ≤ i < n), for parallel jobs; \`auto\` reads the ` +
  `index of a Kubernetes Indexed Job or AWS Batch array job and the count from ${SHARD_COUNT_ENV}`;

export function failurePolicyOf(flags: FleetFlags): FailurePolicy {
  return {
    maxFailures:
      flags.maxFailures === undefined ? undefined : parsePositiveInt(flags.maxFailures, '--max-failures'),
    keepGoing: flags.keepGoing === true,
  };
}

export function shardOfFlags(flags: FleetFlags): Shard | undefined {
  return flags.shard === undefined ? undefined : resolveShard(flags.shard);
}
