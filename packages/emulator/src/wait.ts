import { readEnvFile } from './env-file.js';

const POLL_MS = 100;

/** `30s`, `500ms`, `2m`, or a bare number of seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d{1,7})(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration (use e.g. 30s, 500ms, 2m)`);
  const value = Number(match[1]);
  return match[2] === 'ms' ? value : match[2] === 'm' ? value * 60_000 : value * 1000;
}

/**
 * Resolves once the emulator that writes `envFile` is ready: the file exists (it is written only
 * when every server listens and every seeded key exists) and, when it names an admin endpoint, that
 * endpoint answers /health with the file's token. Rejects after `timeoutMs`.
 */
export async function waitUntilReady(envFile: string, timeoutMs: number): Promise<Record<string, string>> {
  const deadline = Date.now() + timeoutMs;
  let last = `${envFile} does not exist yet`;
  for (;;) {
    const env = await readEnvFile(envFile);
    if (env !== undefined) {
      const adminUrl = env['POLYKMS_EMULATOR_ADMIN_URL'];
      if (adminUrl === undefined) return env;
      try {
        const response = await fetch(`${adminUrl}/health`, {
          headers: { authorization: `Bearer ${env['POLYKMS_EMULATOR_ADMIN_TOKEN'] ?? ''}` },
          signal: AbortSignal.timeout(Math.max(1, Math.min(2000, deadline - Date.now()))),
        });
        if (response.ok) return env;
        last = `${adminUrl}/health answered ${response.status}`;
      } catch (error) {
        last = `${adminUrl}/health: ${(error as Error).message}`;
      }
    }
    if (Date.now() + POLL_MS > deadline) {
      throw new Error(`the emulator was not ready within ${timeoutMs} ms (${last})`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
