import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCli, workDir } from './cli-harness.js';

// The built CLI with frames sealed and opened on worker threads (dist/bin.js; the frame worker is @polykms/envelope's own file).
let dir: string;
let cleanup: () => Promise<void>;
const cli = (args: string[]) => runCli(args, { cwd: dir });
/** Above the 8 MiB from which the CLI may use worker threads by default. */
const large = randomBytes(9 * 1024 * 1024 + 123);

beforeAll(async () => {
  await ensureCliBuilt();
  ({ dir, cleanup } = await workDir());
  await writeFile(join(dir, 'large.bin'), large);
  expect((await cli(['keys', 'generate', 'app.key'])).code).toBe(0);
}, 120_000);

afterAll(() => cleanup?.());

describe('polykms encrypt and decrypt with --workers', () => {
  it('round-trips a large file with one thread per core (auto), signed suite included', async () => {
    for (const suite of ['committed', 'committed-signed']) {
      const encrypted = await cli([
        'encrypt',
        'large.bin',
        '-k',
        'local://app.key',
        '--suite',
        suite,
        '--workers',
        'auto',
        '-f',
      ]);
      expect(encrypted.code, encrypted.stderr).toBe(0);
      const decrypted = await cli([
        'decrypt',
        'large.bin.pkms',
        '-k',
        'local://app.key',
        '-o',
        'back.bin',
        '--workers',
        'auto',
        '-f',
      ]);
      expect(decrypted.code, decrypted.stderr).toBe(0);
      expect((await readFile(join(dir, 'back.bin'))).equals(large)).toBe(true);
    }
  });

  it('writes what --workers 0 writes, as the single-thread path reads it back', async () => {
    const parallel = await cli([
      'encrypt',
      'large.bin',
      '-k',
      'local://app.key',
      '--workers',
      '2',
      '-o',
      'p.pkms',
    ]);
    expect(parallel.code, parallel.stderr).toBe(0);
    const back = await cli(['decrypt', 'p.pkms', '-k', 'local://app.key', '--workers', '0', '-o', 'p.bin']);
    expect(back.code, back.stderr).toBe(0);
    expect((await readFile(join(dir, 'p.bin'))).equals(large)).toBe(true);
  });

  it('refuses a --workers value that is not auto or a count (exit 2)', async () => {
    const result = await cli([
      'encrypt',
      'large.bin',
      '-k',
      'local://app.key',
      '--workers',
      'many',
      '-o',
      'x.pkms',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--workers takes auto or an integer');
  });
});
