import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decrypt, encrypt } from '@polykms/envelope';
import { RawAesKeyring, RawRsaKeyring, generateKeyFile, loadKeyring, parseKeyFile } from '@polykms/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'polykms-local-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const secretKey = Buffer.alloc(32, 0x5a).toString('base64');

describe('key files', () => {
  it('generates an AES key file with mode 0600 that loads into a working keyring', async () => {
    const path = join(dir, 'aes.json');
    const written = await generateKeyFile(path, { type: 'aes', namespace: 'ns', name: 'main', bits: 128 });
    expect(written).toEqual({ path, type: 'aes', namespace: 'ns', name: 'main' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const keyring = await loadKeyring(path);
    expect(keyring).toBeInstanceOf(RawAesKeyring);
    const { message } = await encrypt(Buffer.from('hello'), { keyring });
    expect(
      Buffer.from((await decrypt(message, { keyring: await loadKeyring(path) })).plaintext).toString(),
    ).toBe('hello');
  });

  it('generates an RSA key file whose public half alone makes an encrypt-only keyring', async () => {
    const path = join(dir, 'rsa.json');
    await generateKeyFile(path, { type: 'rsa', namespace: 'ns', name: 'rsa', modulusLength: 2048 });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const keyring = await loadKeyring(path);
    expect(keyring).toBeInstanceOf(RawRsaKeyring);
    const full = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(path, 'utf8')));
    expect(full.padding).toBe('oaep-sha256');
    const publicPath = join(dir, 'rsa-public.json');
    await writeFile(publicPath, JSON.stringify({ ...full, privateKey: undefined }), { mode: 0o600 });
    const encryptOnly = (await loadKeyring(publicPath)) as RawRsaKeyring;
    expect(encryptOnly.canDecrypt).toBe(false);
    const { message } = await encrypt(Buffer.from('x'), { keyring: encryptOnly });
    expect(Buffer.from((await decrypt(message, { keyring })).plaintext).toString()).toBe('x');
  });

  it('never overwrites an existing key file', async () => {
    const path = join(dir, 'once.json');
    await generateKeyFile(path, { type: 'aes', namespace: 'ns', name: 'k' });
    await expect(generateKeyFile(path, { type: 'aes', namespace: 'ns', name: 'k' })).rejects.toThrow(
      /already exists/,
    );
  });

  it('rejects a key of the wrong length, naming the field but not its value', () => {
    const short = Buffer.alloc(20, 0x5a).toString('base64');
    const text = JSON.stringify({ version: 1, type: 'aes', namespace: 'ns', name: 'k', key: short });
    const error = (() => {
      try {
        parseKeyFile(text);
      } catch (e) {
        return e as Error & { code: string };
      }
    })();
    expect(error?.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error?.message).toContain('key: must decode to 16, 24 or 32 bytes');
    expect(error?.message).not.toContain(short);
  });

  it('rejects broken JSON without quoting the file', () => {
    const text = `{"version":1,"type":"aes","key":"${secretKey}",,}`;
    expect(() => parseKeyFile(text)).toThrow(/not valid JSON/);
    try {
      parseKeyFile(text);
    } catch (e) {
      expect((e as Error).message).not.toContain(secretKey);
      expect((e as Error).cause).toBeUndefined();
    }
  });

  it('does not quote an unknown field, which may be key material pasted in the wrong place', () => {
    const text = JSON.stringify({ version: 1, type: 'aes', namespace: 'ns', name: 'k', [secretKey]: 1 });
    expect(() => parseKeyFile(text)).toThrow(/\(root\): 1 unknown field/);
    expect(() => parseKeyFile(text)).not.toThrow(secretKey);
  });

  it('rejects unknown fields, unknown versions, reserved namespaces and RSA files without keys', () => {
    const aes = { version: 1, type: 'aes', namespace: 'ns', name: 'k', key: secretKey };
    expect(() => parseKeyFile(JSON.stringify({ ...aes, extra: 1 }))).toThrow(/not a valid polykms key file/);
    expect(() => parseKeyFile(JSON.stringify({ ...aes, version: 2 }))).toThrow(/version/);
    expect(() => parseKeyFile(JSON.stringify({ ...aes, namespace: 'aws-kms-x' }))).toThrow(/aws-kms/);
    expect(() => parseKeyFile(JSON.stringify({ ...aes, namespace: 'azure-kv' }))).toThrow(/provider id/);
    const rsa = { version: 1, type: 'rsa', namespace: 'ns', name: 'k', padding: 'oaep-sha256' };
    expect(() => parseKeyFile(JSON.stringify(rsa))).toThrow(/privateKey, publicKey or both/);
    expect(() => parseKeyFile(JSON.stringify({ ...rsa, padding: 'none', publicKey: 'x' }))).toThrow(
      /padding/,
    );
  });

  it('reports a missing key file with a typed error', async () => {
    await expect(loadKeyring(join(dir, 'missing.json'))).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
  });
});
