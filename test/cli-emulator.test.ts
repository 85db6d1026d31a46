import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCli, spawnCli, workDir } from './cli-harness.js';

function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of text.matchAll(/^export ([A-Z0-9_]+)='((?:[^']|'\\'')*)'$/gm)) {
    env[match[1] as string] = (match[2] as string).replaceAll(`'\\''`, "'");
  }
  return env;
}

describe('polykms emulator', () => {
  it('serves until SIGTERM and exports the variables that make the other commands use it', async () => {
    await ensureCliBuilt();
    const { dir, cleanup } = await workDir();
    const child = spawnCli(
      [
        'emulator',
        '--export-file',
        'emulator.env',
        '--create-key',
        'aws:orders',
        '--create-key',
        'gcp:app/orders',
        '--create-key',
        'azure:orders',
      ],
      { cwd: dir },
    );
    try {
      let stdout = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('POLYKMS_KEY_AZURE_ORDERS')) resolve();
        });
        child.on('close', (code) => reject(new Error(`the emulator exited early (${code})`)));
      });
      const env = parseExports(stdout);
      expect(env['AWS_ENDPOINT_URL_KMS']).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(parseExports(await readFile(join(dir, 'emulator.env'), 'utf8'))).toEqual(env);

      // The seeded key's URI is exported: nothing to create with an SDK first.
      const key = env['POLYKMS_KEY_AWS_ORDERS'] as string;
      expect(key).toMatch(/^aws-kms:\/\/arn:aws:kms:us-east-1:111122223333:key\//);
      const waited = await runCli(['emulator', 'wait', '--export-file', 'emulator.env', '--timeout', '10s'], {
        cwd: dir,
      });
      expect(waited.code, waited.stderr).toBe(0);
      expect(parseExports(waited.stdout.toString())).toEqual(env);
      // Every seeded URI is one the CLI reads: a message for all three, opened by each alone.
      const keys = ['POLYKMS_KEY_AWS_ORDERS', 'POLYKMS_KEY_GCP_APP_ORDERS', 'POLYKMS_KEY_AZURE_ORDERS'].map(
        (name) => env[name] as string,
      );
      await writeFile(join(dir, 'secret.txt'), 'through the emulator');
      const enc = await runCli(['encrypt', 'secret.txt', ...keys.flatMap((k) => ['--key', k])], {
        cwd: dir,
        env,
      });
      expect(enc.code, enc.stderr).toBe(0);
      for (const one of keys) {
        const dec = await runCli(['decrypt', 'secret.txt.pkms', '--key', one, '-o', '-'], { cwd: dir, env });
        expect(dec.stdout.toString(), dec.stderr).toBe('through the emulator');
      }
    } finally {
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await cleanup();
    }
  }, 60_000);

  it('reports a bad emulator flag in one line and exits 2', async () => {
    await ensureCliBuilt();
    const { dir, cleanup } = await workDir();
    const result = await runCli(['emulator', '--create-key', 'oracle:x'], { cwd: dir });
    await cleanup();
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/"oracle:x" is not a key to create: use aws:NAME/);
  });
});
