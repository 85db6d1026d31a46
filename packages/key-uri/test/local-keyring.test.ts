import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decrypt, encrypt } from '@polykms/envelope';
import { keyringFromUris } from '@polykms/key-uri';
import { generateKeyFile } from '@polykms/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
const plaintext = new TextEncoder().encode('local keys through key URIs');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'key-uri-'));
  await generateKeyFile(join(dir, 'a.key'), { type: 'aes', namespace: 'test', name: 'a' });
  await generateKeyFile(join(dir, 'b.key'), { type: 'aes', namespace: 'test', name: 'b' });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('keyringFromUris with local:// keys', () => {
  it('makes one message that each key decrypts alone', async () => {
    const [a, b] = [`local://${join(dir, 'a.key')}`, `local://${join(dir, 'b.key')}`];
    const { message, header } = await encrypt(plaintext, { keyring: await keyringFromUris([a, b]) });
    expect(header.encryptedDataKeys.map((e) => e.providerId)).toEqual(['test', 'test']);
    for (const uri of [a, b]) {
      const result = await decrypt(message, {
        keyring: await keyringFromUris([uri], { purpose: 'decrypt' }),
      });
      expect(Buffer.from(result.plaintext).toString()).toBe('local keys through key URIs');
    }
  });

  it('reports a missing key file with its path', async () => {
    await expect(keyringFromUris([`local://${join(dir, 'missing.key')}`])).rejects.toThrow(/missing\.key/);
  });
});
