/**
 * The summary line that ends `./run test` (and so CI), counted from a real vitest JSON report of a
 * scratch project with failures of every kind.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const summarize = join(root, 'scripts', 'summarize-tests.mjs');
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'polykms-summary-'));
  await writeFile(join(work, 'vitest.config.mjs'), 'export default { test: { globals: true } };\n');
  // One failed test three describe blocks deep, one passed, one skipped, one todo.
  await writeFile(
    join(work, 'nested.test.js'),
    `describe('a', () => { describe('b', () => { describe('c', () => {
       it('fails', () => { expect(1).toBe(2); });
     }); }); });
     it('passes', () => { expect(1).toBe(1); });
     it.skip('is skipped', () => {});
     it.todo('is to do');\n`,
  );
  // A file that fails without any failed test: it throws while loading.
  await writeFile(join(work, 'broken.test.js'), `throw new Error('cannot load');\n`);
  // A file whose only failure is a hook.
  await writeFile(
    join(work, 'hook.test.js'),
    `afterAll(() => { throw new Error('hook'); });\n it('passes too', () => {});\n`,
  );
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

it('counts each failed test once, and each file that failed without one', async () => {
  const report = join(work, 'report.json');
  await run(
    process.execPath,
    [
      vitest,
      'run',
      '--root',
      work,
      '--config',
      join(work, 'vitest.config.mjs'),
      '--reporter=json',
      `--outputFile=${report}`,
    ],
    {
      cwd: work,
    },
  ).catch((error: { code?: number }) => {
    if (error.code !== 1) throw error; // vitest exits 1 when tests fail: expected here
  });
  const summary = await run(process.execPath, [summarize, report]).catch(
    (error: { code?: number; stdout: string }) => {
      expect(error.code).toBe(1);
      return error;
    },
  );
  expect(summary.stdout.trim()).toBe('2 passed, 3 failed, 2 skipped');
}, 120_000);
