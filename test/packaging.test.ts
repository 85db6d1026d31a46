/**
 * The packages as a user gets them: `./run pack` tarballs installed into scratch projects outside
 * the workspace (under os.tmpdir()), once with npm and once with pnpm, with every @polykms
 * dependency pinned to its tarball so nothing of ours comes from a registry.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt } from './cli-harness.js';
import { readmeBlock } from './support/readme-block.js';
import { cleanEnv, run } from './support/scratch-project.js';
import { packedTarballs, type Tarball, withPolykmsDependencies } from './support/tarballs.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const rootManifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
// Generous: an install may fetch from the npm registry, whose speed is not ours to set.
const INSTALL_TIMEOUT = 600_000;

let work: string;
let tarballs: Map<string, Tarball>;

beforeAll(async () => {
  await ensureCliBuilt();
  work = await mkdtemp(join(tmpdir(), 'polykms-packaging-'));
  tarballs = await packedTarballs();
}, INSTALL_TIMEOUT);

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('every public package tarball', () => {
  it('exists for each non-private workspace package, and for no private one', async () => {
    const { stdout } = await run('pnpm', ['ls', '--recursive', '--depth', '-1', '--json'], root);
    const expected = (JSON.parse(stdout) as { name: string; private?: boolean }[])
      .filter((p) => !p.private)
      .map((p) => p.name)
      .sort();
    expect([...tarballs.keys()].sort()).toEqual(expected);
    expect(expected).toContain('@polykms/envelope');
  });

  it('carries the Apache-2.0 LICENSE, a repository, engines >= 22.12 and no workspace: range', async () => {
    const license = await readFile(join(root, 'LICENSE'), 'utf8');
    for (const [name, tarball] of tarballs) {
      const m = tarball.manifest;
      expect(await tarball.read('LICENSE'), name).toBe(license);
      expect(m['license'], name).toBe('Apache-2.0');
      expect(m['repository'], name).toMatchObject({
        type: 'git',
        url: expect.stringMatching(/^git\+https:/),
      });
      expect(m['engines'], name).toEqual({ node: '>=22.12' });
      expect(JSON.stringify(m), name).not.toContain('workspace:');
    }
  });

  it('exports types and one default entry (for both import and require) that exist in the tarball', () => {
    for (const [name, tarball] of tarballs) {
      const exports = (tarball.manifest['exports'] ?? {}) as Record<string, Record<string, string>>;
      for (const [subpath, conditions] of Object.entries(exports)) {
        expect(Object.keys(conditions), `${name} ${subpath}`).toEqual(['types', 'default']);
        for (const target of Object.values(conditions)) {
          expect(tarball.files, `${name} ${subpath} -> ${target}`).toContain(target.replace(/^\.\//, ''));
        }
      }
      const bins = (tarball.manifest['bin'] ?? {}) as Record<string, string>;
      for (const target of Object.values(bins)) expect(tarball.files).toContain(target.replace(/^\.\//, ''));
    }
  });

  it('ships only dist/, README, LICENSE and package.json, with source maps that carry their sources', async () => {
    for (const [name, tarball] of tarballs) {
      for (const file of tarball.files) {
        expect(file, name).toMatch(/^(dist\/.+\.(js|d\.ts|js\.map)|README\.md|LICENSE|package\.json)$/);
        expect(file, name).not.toMatch(/\.test\.|\/test\//);
      }
      for (const file of tarball.files.filter((f) => f.endsWith('.map'))) {
        const map = JSON.parse(await tarball.read(file)) as { sources: string[]; sourcesContent?: string[] };
        expect(map.sourcesContent?.length, `${name} ${file}`).toBe(map.sources.length);
      }
    }
  });
});

const ESM_PROGRAM = `
import { decrypt, encrypt } from '@polykms/envelope';
import { keyringFromUris } from '@polykms/key-uri';
import { generateKeyFile } from '@polykms/local';

await generateKeyFile('app.key', { type: 'aes', namespace: 'scratch', name: 'app' });
const keyring = await keyringFromUris(['local://app.key']);
const encryptionContext = { tenant: 'acme' };
const { message } = await encrypt(new TextEncoder().encode('hello from ESM'), { keyring, encryptionContext });
const { plaintext } = await decrypt(message, { keyring, encryptionContext });
// No cloud provider is installed: key-uri says which package to add.
const missing = await keyringFromUris(['aws-kms://arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab']).then(
  () => undefined,
  (e) => ({ code: e.code, packageName: e.packageName }),
);
console.log(JSON.stringify({ text: new TextDecoder().decode(plaintext), missing }));
`;

const CJS_PROGRAM = `
const { randomBytes } = require('node:crypto');
const { decrypt, encrypt, PolykmsError } = require('@polykms/envelope');
const { RawAesKeyring } = require('@polykms/local');
// The conformance core loads without vitest, which this project does not install.
const { runConformance } = require('@polykms/conformance');

(async () => {
  const keyring = new RawAesKeyring({ keyNamespace: 'scratch', keyName: 'cjs', wrappingKey: randomBytes(32) });
  const { message } = await encrypt(Buffer.from('hello from CommonJS'), { keyring });
  const { plaintext } = await decrypt(message, { keyring });
  message[message.length - 1] ^= 1;
  const tampered = await decrypt(message, { keyring }).catch((e) => e instanceof PolykmsError && e.code);
  console.log(JSON.stringify({ text: Buffer.from(plaintext).toString(), tampered, runConformance: typeof runConformance }));
})();
`;

const NODE_TEST_CONFORMANCE = `
import { randomBytes } from 'node:crypto';
import { registerConformanceSuite } from '@polykms/conformance/node-test';
import { RawAesKeyring } from '@polykms/local';

const keys = { A: randomBytes(32), B: randomBytes(32) };
const keyring = (key) => new RawAesKeyring({ keyNamespace: 'scratch', keyName: key, wrappingKey: keys[key] });
registerConformanceSuite(
  {
    name: 'scratch raw AES',
    providerId: 'scratch',
    remote: false,
    bindsContext: true,
    keyringForKeyA: () => keyring('A'),
    keyringForKeyB: () => keyring('B'),
    secrets: () => [{ name: 'wrapping key A', value: keys.A }],
  },
  { report: { junit: 'conformance.xml' } },
);
`;

const STRICT_TSCONFIG = {
  compilerOptions: {
    strict: true,
    noUncheckedIndexedAccess: true,
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2023',
    lib: ['es2023'],
    types: ['node'],
    noEmit: true,
    skipLibCheck: false,
  },
  files: ['readme-example.ts'],
};

describe.each(['npm', 'pnpm'] as const)('installed with %s outside the workspace', (manager) => {
  let project: string;
  const LIBRARY = ['@polykms/envelope', '@polykms/local', '@polykms/key-uri', '@polykms/conformance'];

  beforeAll(async () => {
    project = join(work, `${manager}-project`);
    const needed = new Map<string, Tarball>();
    for (const name of LIBRARY)
      for (const t of withPolykmsDependencies(name, tarballs)) needed.set(t.manifest.name, t);
    const pinned = Object.fromEntries([...needed].map(([name, t]) => [name, `file:${t.path}`]));
    const manifest = {
      name: 'scratch',
      private: true,
      type: 'module',
      dependencies: {
        ...Object.fromEntries(LIBRARY.map((name) => [name, pinned[name]])),
        typescript: rootManifest.devDependencies.typescript,
        '@types/node': rootManifest.devDependencies['@types/node'],
      },
      // Transitive @polykms dependencies resolve to the tarballs, never to a registry.
      overrides: pinned,
      pnpm: { overrides: pinned },
    };
    await run('mkdir', ['-p', project], work);
    await writeFile(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
    const args =
      manager === 'npm'
        ? ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']
        : ['install', '--prefer-offline', '--reporter=silent'];
    await run(manager, args, project);
  }, INSTALL_TIMEOUT);

  it('resolved every @polykms package from the tarballs', async () => {
    const lock = await readFile(
      join(project, manager === 'npm' ? 'package-lock.json' : 'pnpm-lock.yaml'),
      'utf8',
    );
    expect(lock).toContain('polykms-envelope-0.1.0.tgz');
    expect(lock).not.toMatch(/https?:\/\/[^\s'"]*\/@polykms\//);
  });

  it('runs an ESM program: a local-key round trip, and a typed error naming a missing provider', async () => {
    await writeFile(join(project, 'esm.mjs'), ESM_PROGRAM);
    const { stdout } = await run(process.execPath, ['esm.mjs'], project);
    expect(JSON.parse(stdout)).toEqual({
      text: 'hello from ESM',
      missing: { code: 'ERR_UNSUPPORTED', packageName: '@polykms/aws-kms' },
    });
  });

  it('runs a CommonJS program that require()s the packages, without flags', async () => {
    await writeFile(join(project, 'cjs.cjs'), CJS_PROGRAM);
    const { stdout, stderr } = await run(process.execPath, ['cjs.cjs'], project);
    expect(stderr).not.toContain('ERR_REQUIRE_ESM');
    expect(JSON.parse(stdout)).toEqual({
      text: 'hello from CommonJS',
      tampered: 'ERR_DECRYPTION_FAILED',
      runConformance: 'function',
    });
  });

  it('runs the conformance suite under node:test, with no vitest installed', async () => {
    expect(existsSync(join(project, 'node_modules/vitest'))).toBe(false);
    await writeFile(join(project, 'conformance.test.mjs'), NODE_TEST_CONFORMANCE);
    const { stdout } = await run(
      process.execPath,
      ['--test', '--test-reporter=tap', 'conformance.test.mjs'],
      project,
    );
    expect(stdout).toMatch(/# fail 0/);
    const junit = await readFile(join(project, 'conformance.xml'), 'utf8');
    expect(junit).toMatch(
      /<testsuite name="conformance: scratch raw AES" tests="\d+" failures="0" errors="0"/,
    );
    expect(junit).toContain('name="leaks/declared-secrets: ');
    expect(junit).toContain('name="leaks/edk-carries-no-data-key: ');
  });

  it("type-checks the root README's library example under strict tsc", async () => {
    const example = readmeBlock(join(root, 'README.md'), '### The library', 'ts');
    // The README elides where the data comes from.
    await writeFile(join(project, 'readme-example.ts'), `declare const plaintext: Uint8Array;\n${example}`);
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify(STRICT_TSCONFIG, null, 2));
    await run(
      process.execPath,
      [join(project, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'],
      project,
    );
  });
});

describe('the CLI installed globally from its tarballs', () => {
  it(
    "installs with the README's npm install -g line and runs the tour's local-key commands verbatim",
    async () => {
      const prefix = join(work, 'global');
      const setup = readmeBlock(join(root, 'README.md'), '## Installing from the tarballs', 'sh');
      const install = setup.split('\n').find((line) => line.startsWith('npm install -g '));
      expect(install).toBe('npm install -g /tmp/polykms/*.tgz');
      // The README's line as it is, on this run's tarballs, into a scratch global prefix.
      const installEnv = cleanEnv({
        npm_config_prefix: prefix,
        npm_config_prefer_offline: 'true',
        npm_config_audit: 'false',
        npm_config_fund: 'false',
      });
      await run(
        'sh',
        ['-c', install!.replace('/tmp/polykms/', `${dirname(tarballs.get('polykms')!.path)}/`)],
        work,
        installEnv,
      );

      const tour = readmeBlock(join(root, 'README.md'), '### The command line', 'sh');
      const localLines = tour
        .split('\n\n')[0]!
        .split('\n')
        .filter((line) => line.startsWith('polykms '));
      expect(localLines.map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual([
        'polykms keys',
        'polykms encrypt',
        'polykms inspect',
        'polykms decrypt',
      ]);
      const dir = join(work, 'tour');
      await run('mkdir', ['-p', dir], work);
      const csv = 'id,total\n1,9.99\n2,20.00\n';
      await writeFile(join(dir, 'orders.csv'), csv);
      const env = cleanEnv({ PATH: `${join(prefix, 'bin')}:${process.env['PATH']}` });
      const outputs: string[] = [];
      for (const line of localLines) outputs.push((await run('sh', ['-c', line], dir, env)).stdout);
      expect(outputs[2]).toContain('tenant');
      expect(outputs[3]).toBe(csv);
    },
    INSTALL_TIMEOUT,
  );
});
