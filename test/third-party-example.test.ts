/**
 * examples/third-party-keyring as its README says a third party uses it: copied to a scratch
 * directory outside the repository, polykms installed from the `./run pack` tarballs with npm (no
 * registry lookup for @polykms/*), its conformance suite run under node:test by `npm test`, its
 * key URI scheme used from a library program and from the installed `polykms` with --plugin.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt } from './cli-harness.js';
import { readmeBlock } from './support/readme-block.js';
import { cleanEnv, run } from './support/scratch-project.js';
import { packedTarballs } from './support/tarballs.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLE = join(root, 'examples/third-party-keyring');
const README = join(EXAMPLE, 'README.md');
// Generous: an install may fetch from the npm registry, whose speed is not ours to set.
const INSTALL_TIMEOUT = 600_000;
const KEY = 'filevault://vault.json#orders';

let work: string;
let project: string;
let env: NodeJS.ProcessEnv;
/** The README's command lines, in order, with the tarball directory as `./run pack` wrote it here. */
let readmeLines: string[];

const sh = (line: string, extra: Record<string, string> = {}) =>
  run('sh', ['-c', line], project, { ...env, ...extra });
/** The README line that starts with `prefix`, run as it is written. */
const readmeLine = (prefix: string) => {
  const line = readmeLines.find((l) => l.startsWith(prefix));
  if (line === undefined) throw new Error(`the example README has no line starting with ${prefix}`);
  return line;
};

beforeAll(async () => {
  await ensureCliBuilt();
  work = await mkdtemp(join(tmpdir(), 'polykms-third-party-'));
  const tarballDir = dirname((await packedTarballs()).get('polykms')!.path);
  project = join(work, 'filevault');
  // What `cp -r` of a fresh clone copies: no local install or run output of the example.
  await cp(EXAMPLE, project, {
    recursive: true,
    filter: (source) => !/[\\/](node_modules|vault\.json|conformance\.xml|.*\.pkms)$/.test(source),
  });
  env = cleanEnv({ PATH: `${join(project, 'node_modules/.bin')}:${process.env['PATH']}` });
  readmeLines = readmeBlock(README, '## Install from the tarballs and run it', 'sh')
    .split('\n')
    .map((line) => line.replaceAll('/tmp/polykms/', `${tarballDir}/`));
  await sh(`${readmeLine('npm install ')} --prefer-offline --no-audit --no-fund --loglevel=error`);
}, INSTALL_TIMEOUT);

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('the third-party keyring example, installed from the tarballs outside the repository', () => {
  it('took every @polykms package from the tarballs and none from a registry', async () => {
    const installed = JSON.parse(
      await readFile(join(project, 'node_modules/.package-lock.json'), 'utf8'),
    ) as {
      packages: Record<string, { resolved?: string }>;
    };
    const ours = Object.entries(installed.packages).filter(([path]) =>
      /node_modules\/(@polykms\/[^/]+|polykms)$/.test(path),
    );
    expect(ours.map(([path]) => path)).toContain('node_modules/@polykms/envelope');
    for (const [path, entry] of ours) expect(entry.resolved, path).toMatch(/^file:.*\.tgz$/);
    // --no-save: the example's manifest stays the one it publishes.
    expect(await readFile(join(project, 'package.json'), 'utf8')).toBe(
      await readFile(join(EXAMPLE, 'package.json'), 'utf8'),
    );
  });

  it('passes the conformance suite under node:test (npm test), with a JUnit report of no failure', async () => {
    const { stdout } = await sh(readmeLine('npm test'));
    expect(stdout).toMatch(/ℹ fail 0\n/);
    expect(Number(/ℹ pass (\d+)/.exec(stdout)?.[1])).toBeGreaterThanOrEqual(40);
    const junit = await readFile(join(project, 'conformance.xml'), 'utf8');
    expect(junit).toMatch(
      /<testsuite name="conformance: filevault \(third-party example\)" tests="\d+" failures="0" errors="0"/,
    );
    expect(junit).toContain('name="leaks/declared-secrets: ');
    expect(junit).toContain('name="rotation/old-edks-readable: ');
  });

  it('round-trips through keyringFromUris with the registered filevault:// scheme (library)', async () => {
    await sh(readmeLine('node bin/filevault.js create-key '));
    const { stdout } = await sh(readmeLine('node demo.js '));
    expect(JSON.parse(stdout)).toEqual({
      text: 'hello from a third-party keyring',
      edks: [{ providerId: 'filevault', providerInfo: 'orders/versions/1' }],
    });
  });

  it('encrypts with polykms --plugin and decrypts with POLYKMS_PLUGINS, then maps a disabled key', async () => {
    await sh(readmeLine('node bin/filevault.js create-key '));
    const csv = 'id,total\n1,9.99\n';
    await writeFile(join(project, 'orders.csv'), csv);
    const encrypt = readmeLine('npx polykms encrypt ');
    expect(encrypt).toContain(`--plugin ./src/index.js --key '${KEY}'`);
    await sh(encrypt);
    const decrypted = await sh(readmeLine('POLYKMS_PLUGINS=./src/index.js npx polykms decrypt '));
    expect(decrypted.stdout).toBe(csv);

    // The vault's own error reaches the user as the polykms code its error table maps it to.
    await sh('node bin/filevault.js disable-key vault.json orders');
    const refused = await sh(
      `npx polykms decrypt orders.csv.pkms --plugin ./src/index.js --key '${KEY}' -o -`,
    )
      .then(() => undefined)
      .catch((error: Error) => error.message);
    expect(refused).toContain('ERR_KEY_DISABLED');
    expect(refused).not.toContain(csv);
  });
});
