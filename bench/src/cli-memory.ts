import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../apps/cli/dist/bin.js', import.meta.url));
const TIME = '/usr/bin/time';

export interface CliRun {
  readonly ms: number;
  /** The CLI process's own peak RSS ("Maximum resident set size" of `/usr/bin/time -v`). */
  readonly maxRssMiB: number;
}

function run(args: readonly string[], cwd: string): CliRun {
  const start = performance.now();
  const result = spawnSync(TIME, ['-v', process.execPath, CLI, ...args], { cwd, encoding: 'utf8' });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`polykms ${args.join(' ')} failed: ${result.stderr}`);
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr)?.[1];
  return { ms, maxRssMiB: Number(kb) / 1024 };
}

/** `--workers 0`, a count, or `'default'`: no flag, as a user runs it. */
export type CliWorkers = number | 'default';

/**
 * The `polykms` command encrypting and decrypting `file` with a local key, each run measured on
 * the CLI process itself; `startup` is the encrypt of a 3-byte file (the process with its modules
 * loaded). Undefined when `/usr/bin/time` or the built CLI is missing.
 */
export function cliStreamMemory(
  dir: string,
  file: string,
  workers: CliWorkers,
): { encrypt: CliRun; decrypt: CliRun; startup: CliRun } | undefined {
  if (!existsSync(TIME) || !existsSync(CLI)) return undefined;
  const key = join(dir, `bench-${process.pid}.key`);
  rmSync(key, { force: true });
  const made = spawnSync(process.execPath, [CLI, 'keys', 'generate', key], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`polykms keys generate failed: ${made.stderr}`);
  const message = `${file}.pkms`;
  const back = `${file}.back`;
  const tiny = `${file}.tiny`;
  try {
    const w = workers === 'default' ? [] : ['--workers', String(workers)];
    writeFileSync(tiny, 'hi\n');
    const startup = run(['encrypt', tiny, '-k', `local://${key}`, '-o', `${tiny}.pkms`, '-f'], dir);
    const encrypt = run(['encrypt', file, '-k', `local://${key}`, '-o', message, '-f', ...w], dir);
    const decrypt = run(['decrypt', message, '-k', `local://${key}`, '-o', back, '-f', ...w], dir);
    return { encrypt, decrypt, startup };
  } finally {
    for (const path of [key, message, back, tiny, `${tiny}.pkms`]) rmSync(path, { force: true });
  }
}

/** A file of `size` random-looking bytes (one random MiB repeated), for the CLI runs. */
export function writeBenchFile(path: string, size: number, block: Buffer): void {
  rmSync(path, { force: true });
  for (let written = 0; written < size; written += block.length) {
    writeFileSync(path, block.subarray(0, Math.min(block.length, size - written)), { flag: 'a' });
  }
}
