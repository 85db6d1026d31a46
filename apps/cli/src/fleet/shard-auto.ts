import { CliError } from '../cli-error.js';
import { parseShard, type Shard } from '../options.js';

/** How many workers share the files under `--shard auto`: schedulers do not expose it by default. */
export const SHARD_COUNT_ENV = 'POLYKMS_SHARD_COUNT';

/** The schedulers whose worker index `--shard auto` reads, and where it reads the count from. */
const SCHEDULERS = [
  // Kubernetes Indexed Job: the index is set for every pod; the count is `completions`, passed by hand.
  { name: 'Kubernetes Indexed Job', index: 'JOB_COMPLETION_INDEX', count: [SHARD_COUNT_ENV] },
  // AWS Batch array job: the index is set for every child; the array size is not, so it is passed too.
  { name: 'AWS Batch array job', index: 'AWS_BATCH_JOB_ARRAY_INDEX', count: [SHARD_COUNT_ENV] },
] as const;

function wholeNumber(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value.trim()) ? Number(value) : undefined;
}

/**
 * `--shard i/n`, or `--shard auto`: this worker's index from the scheduler's environment
 * (`JOB_COMPLETION_INDEX`, `AWS_BATCH_JOB_ARRAY_INDEX`) and the count from POLYKMS_SHARD_COUNT.
 */
export function resolveShard(value: string, env: NodeJS.ProcessEnv = process.env): Shard {
  if (value.trim() !== 'auto') return parseShard(value);
  const scheduler = SCHEDULERS.find((s) => env[s.index] !== undefined);
  if (!scheduler) {
    throw new CliError(
      `--shard auto reads the worker index from ${SCHEDULERS.map((s) => `${s.index} (${s.name})`).join(' or ')}, ` +
        'and neither is set: run it as such a job, or give --shard i/n',
    );
  }
  const index = wholeNumber(env[scheduler.index]);
  const count = wholeNumber(env[SHARD_COUNT_ENV]);
  if (index === undefined) {
    throw new CliError(`--shard auto: ${scheduler.index} is '${env[scheduler.index]}', not a whole number`);
  }
  if (count === undefined || count < 1) {
    throw new CliError(
      `--shard auto: set ${SHARD_COUNT_ENV} to the number of workers (the ${scheduler.name}'s ` +
        `${scheduler.name.startsWith('Kubernetes') ? 'completions' : 'array size'}); got ${env[SHARD_COUNT_ENV] === undefined ? 'nothing' : `'${env[SHARD_COUNT_ENV]}'`}`,
    );
  }
  if (index >= count) {
    throw new CliError(`--shard auto: ${scheduler.index}=${index} is not below ${SHARD_COUNT_ENV}=${count}`);
  }
  return { index, count };
}
