import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, filesIn, runCli, workDir } from './cli-harness.js';

// End-to-end on local key files: the built CLI as a subprocess, every exit code a script relies on.
let dir: string;
let cleanup: () => Promise<void>;
const plaintext = Buffer.from(
  `${'order,amount\n'}${Array.from({ length: 20000 }, (_, i) => `${i},${i * 3}`).join('\n')}\n`,
);
const cli = (args: string[], input?: Uint8Array | string) => runCli(args, { cwd: dir, input });

beforeAll(async () => {
  await ensureCliBuilt();
  ({ dir, cleanup } = await workDir());
  await writeFile(join(dir, 'orders.csv'), plaintext);
  expect((await cli(['keys', 'generate', 'app.key'])).code).toBe(0);
  expect((await cli(['keys', 'generate', 'other.key'])).code).toBe(0);
  expect((await cli(['keys', 'generate', 'rsa.key', '--type', 'rsa', '--bits', '2048'])).code).toBe(0);
}, 120_000);

afterAll(() => cleanup?.());

describe('polykms keys generate', () => {
  it('prints the key URI to use and writes a file only its owner can read', async () => {
    const result = await cli(['keys', 'generate', 'fresh.key']);
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe('local://fresh.key\n');
    const { mode } = await import('node:fs/promises').then((fs) => fs.stat(join(dir, 'fresh.key')));
    expect(mode & 0o777).toBe(0o600);
  });

  it('never overwrites an existing key file (exit 2) and leaves it unchanged', async () => {
    const before = await readFile(join(dir, 'app.key'));
    const result = await cli(['keys', 'generate', 'app.key']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('already exists');
    expect(await readFile(join(dir, 'app.key'))).toEqual(before);
  });
});

describe('polykms encrypt / decrypt with local keys', () => {
  it('round-trips a file: FILE -> FILE.pkms -> FILE, bound to the context', async () => {
    const enc = await cli([
      'encrypt',
      'orders.csv',
      '--key',
      'local://app.key',
      '-c',
      'tenant=acme',
      '-o',
      'rt.pkms',
    ]);
    expect(enc.code, enc.stderr).toBe(0);
    const message = await readFile(join(dir, 'rt.pkms'));
    expect(message.includes(plaintext.subarray(0, 64))).toBe(false);
    const dec = await cli([
      'decrypt',
      'rt.pkms',
      '--key',
      'local://app.key',
      '-e',
      'tenant=acme',
      '-o',
      'rt.csv',
    ]);
    expect(dec.code, dec.stderr).toBe(0);
    expect(await readFile(join(dir, 'rt.csv'))).toEqual(plaintext);
  });

  it('names the default output FILE.pkms and decrypts it back to FILE', async () => {
    await writeFile(join(dir, 'notes.txt'), 'meeting at noon\n');
    expect((await cli(['encrypt', 'notes.txt', '--key', 'local://app.key'])).code).toBe(0);
    await writeFile(join(dir, 'notes.txt'), 'overwritten');
    expect((await cli(['decrypt', 'notes.txt.pkms', '--key', 'local://app.key', '--force'])).code).toBe(0);
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('meeting at noon\n');
  });

  it('streams stdin to stdout in both directions', async () => {
    const enc = await cli(['encrypt', '--key', 'local://app.key'], plaintext);
    expect(enc.code, enc.stderr).toBe(0);
    const dec = await cli(['decrypt', '--key', 'local://app.key'], enc.stdout);
    expect(dec.code, dec.stderr).toBe(0);
    expect(dec.stdout).toEqual(plaintext);
  });

  it('makes one message that each of several keys decrypts alone', async () => {
    const enc = await cli([
      'encrypt',
      'orders.csv',
      '-k',
      'local://app.key',
      '-k',
      'local://rsa.key',
      '-o',
      'two.pkms',
    ]);
    expect(enc.code, enc.stderr).toBe(0);
    for (const key of ['local://app.key', 'local://rsa.key']) {
      const dec = await cli(['decrypt', 'two.pkms', '--key', key, '-o', '-']);
      expect(dec.code, dec.stderr).toBe(0);
      expect(dec.stdout).toEqual(plaintext);
    }
  });

  it('writes the signed suite when asked and still decrypts it', async () => {
    const enc = await cli([
      'encrypt',
      'orders.csv',
      '-k',
      'local://app.key',
      '--suite',
      'committed-signed',
      '-o',
      'signed.pkms',
    ]);
    expect(enc.code, enc.stderr).toBe(0);
    const info = JSON.parse((await cli(['inspect', 'signed.pkms', '--json'])).stdout.toString());
    expect(info).toMatchObject({ suiteId: 0x0578, signed: true });
    const dec = await cli(['decrypt', 'signed.pkms', '--key', 'local://app.key', '-o', '-']);
    expect(dec.stdout).toEqual(plaintext);
  });

  it('honours --frame-length', async () => {
    expect(
      (
        await cli([
          'encrypt',
          'orders.csv',
          '-k',
          'local://app.key',
          '--frame-length',
          '4K',
          '-o',
          'f4k.pkms',
        ])
      ).code,
    ).toBe(0);
    const info = JSON.parse((await cli(['inspect', 'f4k.pkms', '--json'])).stdout.toString());
    expect(info.frameLength).toBe(4096);
  });

  it('applies --max-frame-length to a signed message decrypted whole to stdout', async () => {
    const args = [
      'orders.csv',
      '-k',
      'local://app.key',
      '--frame-length',
      '8K',
      '--suite',
      'committed-signed',
    ];
    expect((await cli(['encrypt', ...args, '-o', 'signed8k.pkms'])).code).toBe(0);
    const refused = await cli([
      'decrypt',
      'signed8k.pkms',
      '-k',
      'local://app.key',
      '--max-frame-length',
      '4K',
      '-o',
      '-',
    ]);
    expect(refused.code).toBe(6);
    expect(refused.stdout.length).toBe(0);
    const read = await cli([
      'decrypt',
      'signed8k.pkms',
      '-k',
      'local://app.key',
      '--max-frame-length',
      '8K',
      '-o',
      '-',
    ]);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toEqual(plaintext);
  });

  it('refuses frames longer than --max-frame-length with exit 6, and reads them without it', async () => {
    const enc = await cli([
      'encrypt',
      'orders.csv',
      '-k',
      'local://app.key',
      '--frame-length',
      '8K',
      '-o',
      'f8k.pkms',
    ]);
    expect(enc.code, enc.stderr).toBe(0);
    const refused = await cli([
      'decrypt',
      'f8k.pkms',
      '-k',
      'local://app.key',
      '--max-frame-length',
      '4K',
      '-o',
      '-',
    ]);
    expect(refused.code).toBe(6);
    expect(refused.stdout.length).toBe(0);
    expect(refused.stderr.toString()).toMatch(/frame length/i);
    const read = await cli([
      'decrypt',
      'f8k.pkms',
      '-k',
      'local://app.key',
      '--max-frame-length',
      '8K',
      '-o',
      '-',
    ]);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toEqual(plaintext);
  });
});

describe('polykms inspect', () => {
  it('shows suite, context and recipients without any key', async () => {
    await cli([
      'encrypt',
      'orders.csv',
      '-k',
      'local://app.key',
      '-k',
      'local://rsa.key',
      '-c',
      'tenant=acme',
      '-o',
      'ins.pkms',
    ]);
    const text = await cli(['inspect', 'ins.pkms']);
    expect(text.code).toBe(0);
    const out = text.stdout.toString();
    expect(out).toContain('AES_256_GCM_HKDF_SHA512_COMMIT_KEY');
    expect(out).toContain('tenant=acme');
    // The default key name is the file name and a random suffix (see cli-hardening.test.ts).
    expect(out).toMatch(/raw AES key, namespace 'polykms-local', name 'app-[0-9a-f]{8}'/);
    expect(out).toContain('recipients   2');
  });

  it('prints machine-readable JSON with --json', async () => {
    const result = await cli(['inspect', 'ins.pkms', '--json']);
    const info = JSON.parse(result.stdout.toString());
    expect(info).toMatchObject({ version: 2, suiteId: 0x0478, encryptionContext: { tenant: 'acme' } });
    expect(info.recipients).toHaveLength(2);
    expect(info.recipients[0].rawKey).toEqual({
      name: expect.stringMatching(/^app-[0-9a-f]{8}$/),
      kind: 'aes',
    });
    expect(info.totalLength).toBe(info.headerLength + info.bodyLength);
  });
});

describe('failures: exit codes, messages, and no partial output', () => {
  it('exit 2 for an unknown key URI scheme, naming the schemes it knows', async () => {
    const result = await cli(['encrypt', 'orders.csv', '--key', 'vault://secret/app', '-o', 'x.pkms']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown key URI scheme 'vault'");
    expect(result.stderr).toContain('aws-kms://, gcp-kms://, azure-kv://, local://');
  });

  it('exit 2 for an unknown option or a malformed context pair', async () => {
    expect((await cli(['encrypt', 'orders.csv', '--colour'])).code).toBe(2);
    const pair = await cli(['encrypt', 'orders.csv', '-k', 'local://app.key', '-c', 'novalue']);
    expect(pair.code).toBe(2);
    expect(pair.stderr).toContain('--context takes key=value');
  });

  it('exit 2 when decrypt is given no key at all, saying how to name one', async () => {
    const result = await cli(['decrypt', 'rt.pkms', '-o', 'none.csv']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--key');
    expect(result.stderr).toContain('--discovery');
  });

  it('exit 8 for a missing input file', async () => {
    const result = await cli(['encrypt', 'no-such-file.csv', '--key', 'local://app.key']);
    expect(result.code).toBe(8);
    expect(result.stderr).toContain('no such file');
  });

  it('exit 8 and no change when the output exists, unless --force', async () => {
    await writeFile(join(dir, 'taken.pkms'), 'keep me');
    const result = await cli(['encrypt', 'orders.csv', '-k', 'local://app.key', '-o', 'taken.pkms']);
    expect(result.code).toBe(8);
    expect(result.stderr).toContain('--force');
    expect(await readFile(join(dir, 'taken.pkms'), 'utf8')).toBe('keep me');
  });

  it('exit 5 for a context mismatch, and no output file', async () => {
    const result = await cli([
      'decrypt',
      'rt.pkms',
      '-k',
      'local://app.key',
      '-e',
      'tenant=globex',
      '-o',
      'mismatch.csv',
    ]);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('ERR_CONTEXT_MISMATCH');
    expect(await filesIn(dir)).not.toContain('mismatch.csv');
  });

  it('exit 4 when the key is not a recipient', async () => {
    const result = await cli(['decrypt', 'rt.pkms', '-k', 'local://other.key', '-o', 'wrong-key.csv']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('ERR_NO_DECRYPTABLE_KEY');
  });

  it('exit 3 for a message with one flipped bit in its body, with no partial or temporary file left', async () => {
    const message = await readFile(join(dir, 'rt.pkms'));
    const tampered = Buffer.from(message);
    const last = tampered.length - 40;
    tampered[last] = (tampered[last] ?? 0) ^ 0x01;
    await writeFile(join(dir, 'tampered.pkms'), tampered);
    const before = await filesIn(dir);
    const result = await cli(['decrypt', 'tampered.pkms', '-k', 'local://app.key', '-o', 'tampered.csv']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('ERR_DECRYPTION_FAILED');
    expect(await filesIn(dir)).toEqual(before);
  });

  it('exit 6 for a truncated message; on stdout only authenticated frames came before the error', async () => {
    const message = await readFile(join(dir, 'rt.pkms'));
    const result = await cli(['decrypt', '-k', 'local://app.key'], message.subarray(0, message.length - 100));
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('truncated');
    expect(result.stdout.length).toBeLessThan(plaintext.length);
    expect(plaintext.subarray(0, result.stdout.length)).toEqual(result.stdout);
  });

  it('exit 6 for a truncated message into a file, and no file at all', async () => {
    const message = await readFile(join(dir, 'rt.pkms'));
    await writeFile(join(dir, 'cut.pkms'), message.subarray(0, message.length - 100));
    const before = await filesIn(dir);
    const result = await cli(['decrypt', 'cut.pkms', '-k', 'local://app.key', '-o', 'cut.csv']);
    expect(result.code).toBe(6);
    expect(await filesIn(dir)).toEqual(before);
  });

  it('exit 6 for input that is not a message', async () => {
    const result = await cli(['decrypt', 'orders.csv', '-k', 'local://app.key', '-o', 'junk.out']);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('ERR_MALFORMED_MESSAGE');
    const inspect = await cli(['inspect', 'orders.csv']);
    expect(inspect.code).toBe(6);
  });

  it('never prints plaintext or key material in an error', async () => {
    const keyFile = JSON.parse(await readFile(join(dir, 'app.key'), 'utf8')) as { key: string };
    const result = await cli(['decrypt', 'rt.pkms', '-k', 'local://app.key', '-e', 'tenant=globex']);
    expect(result.stderr).not.toContain(keyFile.key);
    expect(result.stderr).not.toContain('order,amount');
  });
});

describe('polykms --help', () => {
  it('explains key URIs, points newcomers at the demo and lists the exit codes', async () => {
    const result = await cli(['--help']);
    expect(result.code).toBe(0);
    const help = result.stdout.toString();
    for (const text of [
      'aws-kms://',
      'gcp-kms://',
      'azure-kv://',
      'local://',
      'polykms demo',
      'Exit codes',
    ]) {
      expect(help).toContain(text);
    }
    for (const command of ['encrypt', 'decrypt', 'inspect', 'rewrap', 'migrate', 'keys', 'demo']) {
      expect(help).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });
});
