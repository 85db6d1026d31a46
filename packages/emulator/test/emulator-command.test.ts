import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KeyManagementServiceClient } from '@google-cloud/kms';
import { CommanderError } from 'commander';
import { beforeAll, describe, expect, test } from 'vitest';
import { parseCommandLine, runEmulatorCommand } from '../src/command.js';
import { buildEmulator } from './build-emulator.js';

process.env['METADATA_SERVER_DETECTION'] = 'none';

describe('polykms-emulator arguments', () => {
  test('defaults to loopback, any free ports, all clouds, memory only, an admin endpoint', () => {
    expect(parseCommandLine([]).options).toEqual({
      host: '127.0.0.1',
      allowRemote: false,
      ports: {},
      adminPort: 0,
    });
  });

  test('reads ports, clouds, the state file and the remote opt-in', () => {
    const options = parseCommandLine([
      '--host',
      '0.0.0.0',
      '--allow-remote',
      '--clouds',
      'gcp,aws',
      '--gcp-port',
      '9010',
      '--aws-port',
      '4566',
      '--azure-port',
      '8443',
      '--admin-port',
      '9999',
      '--state',
      '/tmp/s.json',
    ]);
    expect(options.options).toEqual({
      host: '0.0.0.0',
      allowRemote: true,
      clouds: ['gcp', 'aws'],
      ports: { gcp: 9010, aws: 4566, azure: 8443 },
      adminPort: 9999,
      stateFile: '/tmp/s.json',
    });
    expect(parseCommandLine(['--no-admin']).options.adminPort).toBe(false);
  });

  test.each([
    [['--gcp-port', 'abc']],
    [['--gcp-port', '70000']],
    [['--clouds', 'gcp,oracle']],
    [['--bogus']],
  ])('rejects %j', (argv) => {
    expect(() => parseCommandLine(argv)).toThrow(CommanderError);
  });

  test('refuses a remote host without --allow-remote', async () => {
    await expect(
      runEmulatorCommand(['--host', '0.0.0.0', '--clouds', 'gcp'], { stdout() {}, stderr() {} }),
    ).rejects.toThrow(/loopback only/);
  });

  test('starts, prints export lines that work, and stops', async () => {
    let out = '';
    const emulator = await runEmulatorCommand(['--clouds', 'gcp'], {
      stdout: (text) => {
        out += text;
      },
      stderr: () => {},
    });
    try {
      const exported = Object.fromEntries(
        [...out.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1] as string, m[2] as string]),
      );
      expect(exported['METADATA_SERVER_DETECTION']).toBe('none');
      const [host, port] = (exported['POLYKMS_GCP_KMS_ENDPOINT'] as string).split(':') as [string, string];
      const { credentials } = await import('@grpc/grpc-js');
      const client = new KeyManagementServiceClient({
        apiEndpoint: host,
        port: Number(port),
        sslCreds: credentials.createInsecure(),
      });
      const [rings] = await client.listKeyRings({ parent: client.locationPath('p', 'global') });
      expect(rings).toEqual([]);
      await client.close();
    } finally {
      await emulator.stop();
    }
  });
});

const builtBin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

describe('polykms-emulator process (built dist/bin.js)', () => {
  // Builds dist/ when its sources changed (turbo restores an unchanged build from its cache in well
  // under a second), so these tests never skip and never run a stale build.
  beforeAll(async () => {
    await buildEmulator();
    if (!existsSync(builtBin)) throw new Error(`the emulator build did not produce ${builtBin}`);
  }, 120_000);

  test('prints export lines and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [builtBin, '--clouds', 'gcp'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('POLYKMS_EMULATOR_ADMIN_URL')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
    expect(out).toMatch(/^export POLYKMS_GCP_KMS_ENDPOINT='127\.0\.0\.1:\d+'$/m);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  test('exits 2 with one line on a bad flag', async () => {
    const child = spawn(process.execPath, [builtBin, '--gcp-port', 'x'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(err).toContain('--gcp-port');
  });

  test('as separate processes, --export-file (a file that does not exist yet) and wait work together', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'polykms-bin-'));
    const exportFile = join(dir, 'kms.env');
    const child = spawn(process.execPath, [builtBin, '--clouds', 'aws', '--export-file', exportFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      const waited = await promisify(execFile)(
        process.execPath,
        [builtBin, 'wait', '--export-file', exportFile, '--timeout', '30s'],
        { timeout: 40_000 },
      );
      expect(waited.stdout).toMatch(/^export AWS_ENDPOINT_URL_KMS='http:\/\/127\.0\.0\.1:\d+'$/m);
      expect(await readFile(exportFile, 'utf8')).toBe(waited.stdout);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
