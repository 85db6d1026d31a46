import { KeyManagementServiceClient } from '@google-cloud/kms';
import { type PolykmsError, Suites, type UnwrapRequest, unwrapDataKey, wrapDataKey } from '@polykms/envelope';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { GcpKmsKeyring } from '../src/index.js';
import { type GcpTestBed, startGcpTestBed } from './emulator.js';

const suite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
const encryptionContext = { a: 'b' };

let bed: GcpTestBed;
let keyName: string;
beforeAll(async () => {
  bed = await startGcpTestBed();
  keyName = await bed.createKey();
});
afterAll(async () => bed?.stop());

type Response = Record<string, unknown>;

/**
 * The official client over the real loopback connection, with grpc-js's call invocation hook
 * (which gax passes through) altering each decoded response: damage in transit, as the CRC32C
 * fields exist to catch. The server side is the unmodified emulator.
 */
function clientThatAlters(alter: (response: Response) => void): KeyManagementServiceClient {
  return new KeyManagementServiceClient({
    ...bed.emulator.gcp.clientOptions,
    'grpc.callInvocationTransformer': (props: { callback: (error: unknown, value?: Response) => void }) => ({
      ...props,
      callback: (error: unknown, value?: Response) => {
        if (value) alter(value);
        props.callback(error, value);
      },
    }),
  });
}

async function failureOf(promise: Promise<unknown>): Promise<PolykmsError> {
  try {
    await promise;
  } catch (error) {
    const e = error as PolykmsError & { failures?: { error: PolykmsError }[] };
    return e.failures?.[0]?.error ?? e;
  }
  throw new Error('expected a failure');
}

const cases: [string, (r: Response) => void, string][] = [
  [
    'the service did not verify the plaintext checksum',
    (r) => {
      r['verifiedPlaintextCrc32c'] = false;
    },
    'plaintext sent',
  ],
  [
    'the service did not verify the AAD checksum',
    (r) => {
      r['verifiedAdditionalAuthenticatedDataCrc32c'] = false;
    },
    'additional authenticated data sent',
  ],
  [
    'the ciphertext does not match its checksum',
    (r) => {
      const ciphertext = r['ciphertext'] as Uint8Array;
      ciphertext[0] = (ciphertext[0] as number) ^ 1;
    },
    'ciphertext received',
  ],
];

test.each(cases)(
  'refuses an Encrypt response when %s, as a retryable ERR_UNAVAILABLE',
  async (_label, alter, what) => {
    const client = clientThatAlters(alter);
    try {
      const keyring = new GcpKmsKeyring({ keyName, client });
      const error = await failureOf(wrapDataKey(keyring, { suite, encryptionContext }));
      expect(error.code).toBe('ERR_UNAVAILABLE');
      expect(error.retryable).toBe(true);
      expect(error.message).toContain(what);
      expect(error.message).toContain('retry a limited number of times');
    } finally {
      await client.close();
    }
  },
);

test('refuses a Decrypt response whose plaintext does not match its checksum', async () => {
  const good = new GcpKmsKeyring({ keyName, client: bed.client });
  const { encryptedDataKeys } = await wrapDataKey(good, { suite, encryptionContext });
  const client = clientThatAlters((r) => {
    const plaintext = r['plaintext'];
    if (plaintext instanceof Uint8Array) plaintext[0] = (plaintext[0] as number) ^ 1;
  });
  try {
    const keyring = new GcpKmsKeyring({ keyName, client });
    const request: UnwrapRequest = { suite, encryptionContext, encryptedDataKeys };
    const error = await failureOf(unwrapDataKey(keyring, request));
    expect(error.code).toBe('ERR_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('plaintext received failed its CRC32C integrity check');
  } finally {
    await client.close();
  }
});

test('refuses an Encrypt response naming a version of another key', async () => {
  const client = clientThatAlters((r) => {
    r['name'] = `${keyName}-other/cryptoKeyVersions/1`;
  });
  try {
    const error = await failureOf(
      wrapDataKey(new GcpKmsKeyring({ keyName, client }), { suite, encryptionContext }),
    );
    expect(error.code).toBe('ERR_PROVIDER_FAILURE');
    expect(error.message).toContain('not the one asked for');
  } finally {
    await client.close();
  }
});

test('refuses a decrypted data key of the wrong length', async () => {
  // An EDK whose ciphertext wraps 16 bytes, offered for a 32-byte suite.
  const [encrypted] = await bed.client.encrypt({ name: keyName, plaintext: Buffer.alloc(16, 1) });
  const keyring = new GcpKmsKeyring({ keyName, client: bed.client });
  const error = await failureOf(
    unwrapDataKey(keyring, {
      suite,
      encryptionContext: {},
      encryptedDataKeys: [
        {
          providerId: 'gcp-kms',
          providerInfo: new TextEncoder().encode(encrypted.name as string),
          ciphertext: encrypted.ciphertext as Uint8Array,
        },
      ],
    }),
  );
  expect(error.code).toBe('ERR_INVALID_CIPHERTEXT');
  expect(error.message).toContain('wrong length');
});
