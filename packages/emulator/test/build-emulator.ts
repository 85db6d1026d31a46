import { spawn } from 'node:child_process';
import { mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
/**
 * The lock test/cli-harness.ts takes while it builds the CLI, which builds this package too: two
 * builds writing packages/emulator/dist at once could leave it half-written.
 */
const lock = join(root, 'apps/cli/.build-lock');
const LOCK_WAIT_MS = 90_000;

/** Builds @polykms/emulator through turbo (a cache hit when src/ is unchanged); throws with its output on failure. */
export async function buildEmulator(): Promise<void> {
  const waitUntil = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      if (Date.now() > waitUntil) throw new Error(`waited too long for the build lock ${lock}`);
      await sleep(200);
    }
  }
  try {
    const turbo = join(root, 'node_modules/.bin/turbo');
    const args = ['run', 'build', '--filter', '@polykms/emulator', '--output-logs=errors-only'];
    const child = spawn(turbo, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`building the emulator failed (exit ${code}):\n${output}`);
  } finally {
    await rmdir(lock).catch(() => {});
  }
}
