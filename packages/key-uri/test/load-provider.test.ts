import { describe, expect, it } from 'vitest';
import { ProviderNotInstalledError, importProvider, keyringFromUris } from '@polykms/key-uri';

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('importProvider', () => {
  it('names the provider package to install when it is missing', async () => {
    const name = '@example-cloud/polykms-provider-that-is-not-installed';
    const error = await failure(importProvider('example', name, () => import(name)));
    expect(error).toBeInstanceOf(ProviderNotInstalledError);
    expect(error).toMatchObject({ code: 'ERR_UNSUPPORTED', packageName: name, provider: 'example' });
    expect((error as Error).message).toContain(`npm install ${name}`);
  });

  it('names the cloud SDK when the provider is installed but its SDK is not', async () => {
    const fixture = new URL('./fixtures/provider-with-missing-sdk.mjs', import.meta.url).href;
    const error = await failure(importProvider('example', '@example-cloud/provider', () => import(fixture)));
    expect(error).toBeInstanceOf(ProviderNotInstalledError);
    expect(error).toMatchObject({ packageName: '@example-cloud/sdk-that-is-not-installed' });
  });

  it('lets any other failure of the provider through unchanged', async () => {
    const bug = new TypeError('a bug in the provider');
    await expect(importProvider('example', 'x', () => Promise.reject(bug))).rejects.toBe(bug);
  });
});

describe('keyringFromUris', () => {
  it('refuses an empty list', async () => {
    await expect(keyringFromUris([])).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('rejects an unknown scheme anywhere in the list before loading any provider', async () => {
    await expect(keyringFromUris(['local://a.json', 'kms://x'])).rejects.toThrow(
      /unknown key URI scheme 'kms'/,
    );
  });

  it('refuses an AWS alias for decrypt: EDKs name the key, not the alias', async () => {
    await expect(keyringFromUris(['aws-kms://alias/app'], { purpose: 'decrypt' })).rejects.toThrow(
      /an encrypted data key names the key, never the alias/,
    );
  });
});
