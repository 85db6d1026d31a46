import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decrypt, encrypt } from '@polykms/envelope';
import { MAX_KEY_FILE_BYTES, RawAesKeyring, RawRsaKeyring, loadKeyring } from '@polykms/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const posix = process.platform !== 'win32';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'polykms-local-perm-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const aesKey = Buffer.alloc(32, 0x5a).toString('base64');
const aesFile = JSON.stringify({ version: 1, type: 'aes', namespace: 'ns', name: 'k', key: aesKey });
const pair = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const rsaBase = { version: 1, type: 'rsa', namespace: 'ns', name: 'r', padding: 'oaep-sha256' };
const rsaPublicFile = JSON.stringify({ ...rsaBase, publicKey: pair.publicKey });
const rsaPrivateFile = JSON.stringify({ ...rsaBase, privateKey: pair.privateKey });

/** Writes a file and sets its mode exactly (the umask does not apply to chmod). */
async function keyFileAt(name: string, text: string, mode: number): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  await chmod(path, mode);
  return path;
}

async function refusalOf(path: string): Promise<Error & { code?: string }> {
  try {
    await loadKeyring(path);
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error(`${path} was loaded`);
}

describe('loading a key file', () => {
  it('loads a 0600 AES key file into a working keyring', async () => {
    const keyring = await loadKeyring(await keyFileAt('ok.json', aesFile, 0o600));
    expect(keyring).toBeInstanceOf(RawAesKeyring);
    const { message } = await encrypt(Buffer.from('hi'), { keyring });
    expect(Buffer.from((await decrypt(message, { keyring })).plaintext).toString()).toBe('hi');
  });

  it('loads a 0400 RSA private key file', async () => {
    const keyring = await loadKeyring(await keyFileAt('rsa-0400.json', rsaPrivateFile, 0o400));
    expect((keyring as RawRsaKeyring).canDecrypt).toBe(true);
  });

  it('refuses a directory as not a regular file', async () => {
    const path = join(dir, 'a-directory');
    await mkdir(path);
    const error = await refusalOf(path);
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.message).toBe(`key file ${path} is not a regular file`);
  });

  it.skipIf(!posix)('refuses a FIFO without waiting for a writer', async () => {
    const path = join(dir, 'a-fifo');
    execFileSync('mkfifo', [path]);
    const error = await refusalOf(path);
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.message).toContain('is not a regular file');
  });

  it('refuses a file over the size limit from its size, before reading it', async () => {
    // 1 GiB and sparse: costs no disk, and would take a noticeable time and memory to read.
    const path = await keyFileAt('huge.json', '', 0o600);
    await truncate(path, 2 ** 30);
    const error = await refusalOf(path);
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.message).toBe(
      `key file ${path} is ${2 ** 30} bytes; a key file is at most ${MAX_KEY_FILE_BYTES} bytes`,
    );
  });

  it('refuses a file one byte over the limit and loads one at the limit', async () => {
    const padded = (size: number) => aesFile + ' '.repeat(size - aesFile.length);
    const over = await keyFileAt('over.json', padded(MAX_KEY_FILE_BYTES + 1), 0o600);
    expect((await refusalOf(over)).message).toContain(`is ${MAX_KEY_FILE_BYTES + 1} bytes`);
    const atLimit = await keyFileAt('at-limit.json', padded(MAX_KEY_FILE_BYTES), 0o600);
    expect(await loadKeyring(atLimit)).toBeInstanceOf(RawAesKeyring);
  });

  it.skipIf(!posix)('refuses key files writable by group or others, naming the fix', async () => {
    for (const [mode, text] of [
      [0o666, aesFile],
      [0o620, aesFile],
      [0o602, aesFile],
      [0o646, rsaPublicFile],
    ] as const) {
      const path = await keyFileAt(`writable-${mode.toString(8)}.json`, text, mode);
      const error = await refusalOf(path);
      expect(error.code).toBe('ERR_INVALID_ARGUMENT');
      expect(error.message).toBe(
        `key file ${path} is writable by group or others (mode 0${mode.toString(8)}), who can ` +
          `replace the key: run chmod 600 ${path}`,
      );
    }
  });

  it.skipIf(!posix)(
    'refuses AES and RSA private key files readable by group or others, without quoting the key',
    async () => {
      for (const [mode, text] of [
        [0o640, aesFile],
        [0o604, aesFile],
        [0o644, rsaPrivateFile],
        [0o640, JSON.stringify({ ...rsaBase, privateKey: pair.privateKey, publicKey: pair.publicKey })],
      ] as const) {
        const path = await keyFileAt(`readable-${mode.toString(8)}-${text.length}.json`, text, mode);
        const error = await refusalOf(path);
        expect(error.code).toBe('ERR_INVALID_ARGUMENT');
        expect(error.message).toBe(
          `key file ${path} holds a secret key and is readable by group or others ` +
            `(mode 0${mode.toString(8)}): run chmod 600 ${path}`,
        );
        expect(error.message).not.toContain(aesKey);
        expect(error.message).not.toContain('PRIVATE KEY');
      }
    },
  );

  it('accepts a world-readable (0644) file holding only an RSA public key', async () => {
    const keyring = (await loadKeyring(
      await keyFileAt('public.json', rsaPublicFile, 0o644),
    )) as RawRsaKeyring;
    expect(keyring).toBeInstanceOf(RawRsaKeyring);
    expect(keyring.canDecrypt).toBe(false);
  });

  it.skipIf(!posix)('follows a symlink and checks the file it leads to', async () => {
    const good = await keyFileAt('target-good.json', aesFile, 0o600);
    await symlink(good, join(dir, 'link-good.json'));
    expect(await loadKeyring(join(dir, 'link-good.json'))).toBeInstanceOf(RawAesKeyring);
    const bad = await keyFileAt('target-bad.json', aesFile, 0o666);
    await symlink(bad, join(dir, 'link-bad.json'));
    expect((await refusalOf(join(dir, 'link-bad.json'))).message).toContain('writable by group or others');
  });

  it.skipIf(!posix || process.geteuid?.() !== 0)(
    'refuses a file owned by another user than this process (run as root to test)',
    async () => {
      const path = await keyFileAt('other-owner.json', aesFile, 0o600);
      await chown(path, 4242, 4242);
      const error = await refusalOf(path);
      expect(error.code).toBe('ERR_INVALID_ARGUMENT');
      expect(error.message).toBe(
        `key file ${path} is owned by uid 4242, who can replace the key; it must be owned by ` +
          `this process's user (uid 0) or root: run chown 0 ${path}`,
      );
    },
  );
});
