import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCli, workDir } from './cli-harness.js';

// The built CLI loading a third-party key URI scheme (test/support/envkey-plugin) as a user would.
const PLUGIN = fileURLToPath(new URL('./support/envkey-plugin/index.mjs', import.meta.url));
const env = { APP_KEY: randomBytes(32).toString('base64'), POLYKMS_PLUGINS: '' };
let dir: string;
let cleanup: () => Promise<void>;
const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
  runCli(args, { cwd: dir, env: { ...env, ...extraEnv } });

beforeAll(async () => {
  await ensureCliBuilt();
  ({ dir, cleanup } = await workDir());
  await writeFile(join(dir, 'notes.txt'), 'plug-in scheme from the command line\n');
}, 120_000);

afterAll(() => cleanup?.());

describe('polykms --plugin and POLYKMS_PLUGINS', () => {
  it('encrypts with a plug-in scheme named by --plugin and decrypts with it named by POLYKMS_PLUGINS', async () => {
    const encrypted = await cli(['encrypt', 'notes.txt', '--plugin', PLUGIN, '--key', 'envkey://APP_KEY']);
    expect(encrypted.stderr).toContain('notes.txt.pkms');
    expect(encrypted.code).toBe(0);
    const decrypted = await cli(['decrypt', 'notes.txt.pkms', '--key', 'envkey://APP_KEY', '-o', '-'], {
      POLYKMS_PLUGINS: PLUGIN,
    });
    expect(decrypted.code).toBe(0);
    expect(decrypted.stdout.toString()).toBe('plug-in scheme from the command line\n');
  });

  it("keeps a plug-in's own PolykmsError typed: its code on stderr and its exit code (2 for ERR_INVALID_ARGUMENT)", async () => {
    // The plug-in throws InvalidArgumentError from the @polykms/envelope it imports itself: the
    // CLI must recognise it as the same class as its own, not report an unexpected error (exit 1).
    const result = await cli(
      ['encrypt', 'notes.txt', '--plugin', PLUGIN, '--key', 'envkey://APP_KEY', '-o', 'y.pkms'],
      {
        APP_KEY: 'dG9vIHNob3J0',
      },
    );
    expect(result.stderr).toContain('[ERR_INVALID_ARGUMENT]');
    expect(result.stderr).toContain('APP_KEY must hold a base64 AES-256 key');
    expect(result.code).toBe(2);
  });

  it('does not know the scheme without the plug-in (exit 2, naming the known schemes)', async () => {
    const result = await cli(['encrypt', 'notes.txt', '--key', 'envkey://APP_KEY', '-o', 'x.pkms']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown key URI scheme 'envkey'");
  });

  it('fails with exit 2 naming a plug-in that cannot be loaded', async () => {
    const result = await cli([
      'encrypt',
      'notes.txt',
      '--plugin',
      './no-such-plugin.mjs',
      '--key',
      'local://k',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot load the plug-in ./no-such-plugin.mjs');
  });
});
