import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
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
    const child = spawnCli(['emulator', '--clouds', 'aws', '--export-file', 'emulator.env'], { cwd: dir });
    try {
      let stdout = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('AWS_ENDPOINT_URL_KMS')) resolve();
        });
        child.on('close', (code) => reject(new Error(`the emulator exited early (${code})`)));
      });
      const env = parseExports(stdout);
      expect(env['AWS_ENDPOINT_URL_KMS']).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(parseExports(await readFile(join(dir, 'emulator.env'), 'utf8'))).toEqual(env);

      const kms = new KMSClient({
        endpoint: env['AWS_ENDPOINT_URL_KMS'],
        region: env['AWS_REGION'],
        credentials: {
          accessKeyId: env['AWS_ACCESS_KEY_ID']!,
          secretAccessKey: env['AWS_SECRET_ACCESS_KEY']!,
        },
      });
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
      kms.destroy();
      const key = `aws-kms://${KeyMetadata?.Arn}`;
      await writeFile(join(dir, 'secret.txt'), 'through the emulator');
      const enc = await runCli(['encrypt', 'secret.txt', '--key', key], { cwd: dir, env });
      expect(enc.code, enc.stderr).toBe(0);
      const dec = await runCli(['decrypt', 'secret.txt.pkms', '--key', key, '-o', '-'], { cwd: dir, env });
      expect(dec.stdout.toString()).toBe('through the emulator');
    } finally {
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await cleanup();
    }
  }, 60_000);
});
