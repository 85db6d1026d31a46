import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * The environment of a command run in a scratch project outside the workspace: without the
 * workspace's package-manager settings that `pnpm exec` passes down.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|PNPM_|INIT_CWD$|NODE_OPTIONS$)/.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

/** Runs a command to completion; a failure throws with its output, so the test says why. */
export async function run(command: string, args: readonly string[], cwd: string, env = cleanEnv()) {
  try {
    return await exec(command, args, { cwd, env, maxBuffer: 64 << 20 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`,
    );
  }
}
