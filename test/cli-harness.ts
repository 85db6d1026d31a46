/**
 * Runs the BUILT `polykms` command (apps/cli/dist/bin.js) as a subprocess, the way a user or a
 * CI job does. The first call rebuilds the CLI when any source it is built from is newer than
 * dist/bin.js, so a stale build cannot make these tests pass or fail for the wrong reason.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const CLI_BIN = join(root, 'apps/cli/dist/bin.js');

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

async function isStale(): Promise<boolean> {
  const built = await stat(CLI_BIN).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  if (built === 0) return true;
  const sources = [join(root, 'apps/cli/src')];
  for (const pkg of await readdir(join(root, 'packages'))) sources.push(join(root, 'packages', pkg, 'src'));
  for (const dir of sources) {
    const newest = await newestMtime(dir).catch(() => 0);
    if (newest > built) return true;
  }
  return false;
}

let built: Promise<void> | undefined;

/** Builds the CLI and its workspace dependencies when stale; one build at a time across workers. */
export function ensureCliBuilt(): Promise<void> {
  built ??= (async () => {
    if (!(await isStale())) return;
    const lock = join(root, 'apps/cli/.build-lock');
    for (;;) {
      try {
        await mkdir(lock);
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    try {
      if (!(await isStale())) return;
      const turbo = join(root, 'node_modules/.bin/turbo');
      const result = spawnSync(turbo, ['run', 'build', '--filter', 'polykms', '--output-logs=errors-only'], {
        cwd: root,
        encoding: 'utf8',
      });
      if (result.status !== 0)
        throw new Error(`building the CLI failed:\n${result.stdout}\n${result.stderr}`);
    } finally {
      await rmdir(lock).catch(() => {});
    }
  })();
  return built;
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly input?: Uint8Array | string;
}

/** Runs `polykms …args`; resolves with the exit code and the output once the process has exited. */
export function runCli(args: readonly string[], options: RunOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, POLYKMS_DEBUG: '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr).toString('utf8'),
      }),
    );
    child.stdin.end(options.input ?? '');
  });
}

/** A fresh working directory, and a function that removes it. */
export async function workDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'polykms-cli-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Every file in `dir` (recursively), to prove that a failed command left nothing behind. */
export async function filesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** Starts `polykms …args` and hands back the child, for tests that interrupt it. */
export function spawnCli(args: readonly string[], options: RunOptions) {
  return spawn(process.execPath, [CLI_BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, POLYKMS_DEBUG: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
