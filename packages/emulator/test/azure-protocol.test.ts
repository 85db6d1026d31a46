import { request } from 'node:https';
import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { CryptographyClient, KeyClient } from '@azure/keyvault-keys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { challengeResource } from '../src/azure/front-end.js';
import { type AzureFixture, startAzure } from './azure-fixture.js';

let azure: AzureFixture;
beforeAll(async () => {
  azure = await startAzure();
  await azure.keyClient.createRsaKey('protocol-key');
});
afterAll(() => azure.stop());

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
}

/** One HTTPS request to the vault, with or without a bearer token. */
function raw(
  method: string,
  path: string,
  options: { body?: string | Buffer; authorized?: boolean; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const url = new URL(path, azure.endpoint.vaultUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: azure.endpoint.caCertPem,
        headers: {
          'content-type': 'application/json',
          ...(options.authorized === false ? {} : { authorization: 'Bearer anything' }),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text ? JSON.parse(text) : undefined,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const API = '?api-version=7.6';

function errorCode(response: RawResponse): string | undefined {
  return (response.body as { error?: { code?: string } } | undefined)?.error?.code;
}

describe('Azure front end: the wire protocol', () => {
  it('challenges a request without a bearer token with 401 and a resource the vault host passes', async () => {
    const response = await raw('GET', `/keys/protocol-key/${API}`, { authorized: false });
    expect(response.status).toBe(401);
    // 127.0.0.1 ends with ".0.0.1", the host of the non-special-scheme resource (see challengeResource).
    expect(response.headers['www-authenticate']).toMatch(
      /^Bearer authorization="https:\/\/login\.microsoftonline\.com\/[0-9a-f-]+", resource="polykms-emulator:\/\/0\.0\.1"$/,
    );
    const basic = await raw('GET', `/keys/protocol-key/${API}`, {
      authorized: false,
      headers: { authorization: 'Basic x' },
    });
    expect(basic.status).toBe(401);
  });

  it('accepts the percent-encoded api%2Dversion and requires some api-version', async () => {
    expect((await raw('GET', '/keys/protocol-key/?api%2Dversion=2025-07-01')).status).toBe(200);
    const missing = await raw('GET', '/keys/protocol-key/');
    expect([missing.status, errorCode(missing)]).toEqual([400, 'BadParameter']);
  });

  it('serves the key bundle with base64url public numbers without padding', async () => {
    const response = await raw('GET', `/keys/protocol-key/${API}`);
    const key = (response.body as { key: { n: string; e: string; kid: string } }).key;
    expect(key.e).toBe('AQAB');
    expect(key.n).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(key.kid).toMatch(/\/keys\/protocol-key\/[0-9a-f]{32}$/);
  });

  it('answers malformed JSON, non-object bodies, wrong types and bad base64url with 400 BadParameter', async () => {
    const path = `/keys/protocol-key//unwrapkey${API}`;
    for (const body of [
      '{not json',
      '[1,2]',
      '"text"',
      JSON.stringify({ alg: 'RSA-OAEP-256' }),
      JSON.stringify({ alg: 7, value: 'AAAA' }),
      JSON.stringify({ alg: 'RSA-OAEP-256', value: 'not base64url!' }),
      JSON.stringify({ alg: 'RSA-OAEP-256', value: 'A' }),
      JSON.stringify({ alg: 'NOPE', value: 'AAAA' }),
    ]) {
      const response = await raw('POST', path, { body });
      expect([response.status, errorCode(response)], body).toEqual([400, 'BadParameter']);
    }
    const create = await raw('POST', `/keys/exponent-3/create${API}`, {
      body: JSON.stringify({ kty: 'RSA', public_exponent: 3 }),
    });
    expect([create.status, errorCode(create)]).toEqual([400, 'BadParameter']);
  });

  it('refuses an oversize body with 413 and keeps serving', async () => {
    const response = await raw('POST', `/keys/protocol-key//unwrapkey${API}`, {
      body: Buffer.alloc(200_000, 0x41),
    });
    expect([response.status, errorCode(response)]).toEqual([413, 'RequestEntityTooLarge']);
    expect((await raw('GET', `/keys/protocol-key/${API}`)).status).toBe(200);
  });

  it('answers unknown routes with 404 and invalid names or escapes with 400', async () => {
    expect((await raw('GET', `/secrets/x${API}`)).status).toBe(404);
    expect((await raw('POST', `/keys/protocol-key//sign${API}`, { body: '{}' })).status).toBe(404);
    expect((await raw('GET', `/keys/bad_name/${API}`)).status).toBe(400);
    expect((await raw('GET', `/keys/%E0%A4%A/${API}`)).status).toBe(400);
    expect((await raw('GET', `/keys/protocol-key/${'f'.repeat(65)}${API}`)).status).toBe(400);
  });

  it('refuses operations outside key_ops, before nbf and after exp with 403 Forbidden', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases = [
      { name: 'ops-limited', body: { kty: 'RSA', key_ops: ['encrypt'] }, inner: 'KeyOperationForbidden' },
      { name: 'not-yet', body: { kty: 'RSA', attributes: { nbf: now + 3600 } }, inner: 'KeyNotYetValid' },
      { name: 'expired', body: { kty: 'RSA', attributes: { exp: now - 3600 } }, inner: 'KeyExpired' },
    ];
    for (const { name, body, inner } of cases) {
      expect((await raw('POST', `/keys/${name}/create${API}`, { body: JSON.stringify(body) })).status).toBe(
        200,
      );
      const response = await raw('POST', `/keys/${name}//wrapkey${API}`, {
        body: JSON.stringify({ alg: 'RSA-OAEP-256', value: 'AAAAAAAAAAAAAAAAAAAAAA' }),
      });
      expect([response.status, errorCode(response)]).toEqual([403, 'Forbidden']);
      expect((response.body as { error: { innererror: { code: string } } }).error.innererror.code).toBe(
        inner,
      );
    }
  });

  it('answers a burst of garbage requests with 4xx and keeps serving', async () => {
    // A fixed pseudo-random sequence, so that a failure can be replayed.
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    const paths = [
      '/keys',
      '/keys/protocol-key/',
      '/keys/protocol-key//unwrapkey',
      '/keys/protocol-key/create',
      '/deletedkeys/x',
      '/%',
      '/keys/%zz/',
    ];
    const methods = ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'];
    for (let i = 0; i < 60; i++) {
      const body = Buffer.from(Array.from({ length: next() % 300 }, () => next() % 256));
      const jsonish = JSON.stringify({
        alg: i % 2 ? 'RSA-OAEP-256' : 'A256KW',
        value: body.toString('base64url'),
        kty: 'RSA',
        key_size: next(),
      });
      const response = await raw(methods[next() % methods.length]!, `${paths[next() % paths.length]}${API}`, {
        body: i % 3 === 0 ? jsonish : body,
      });
      expect(response.status, `request ${i}`).toBeGreaterThanOrEqual(200);
      expect(response.status, `request ${i}`).toBeLessThan(500);
    }
    expect((await raw('GET', `/keys/protocol-key/${API}`)).status).toBe(200);
  });

  it('lets DefaultAzureCredential get its token from the managed-identity endpoint', async () => {
    const saved = { ...process.env };
    for (const name of Object.keys(process.env)) {
      if (name.startsWith('AZURE_') || name.startsWith('MSI_') || name.startsWith('IDENTITY_'))
        delete process.env[name];
    }
    process.env.IDENTITY_ENDPOINT = azure.endpoint.identityEndpoint;
    process.env.IDENTITY_HEADER = azure.endpoint.identityHeader;
    try {
      for (const credential of [new DefaultAzureCredential(), new ManagedIdentityCredential()]) {
        const keys = new KeyClient(azure.endpoint.vaultUrl, credential, azure.endpoint.clientOptions);
        const key = await keys.getKey('protocol-key');
        const crypto = new CryptographyClient(key.id!, credential, azure.endpoint.clientOptions);
        const wrapped = await crypto.wrapKey('RSA-OAEP-256', Buffer.alloc(32, 7));
        expect(Buffer.from((await crypto.unwrapKey('RSA-OAEP-256', wrapped.result)).result)).toEqual(
          Buffer.alloc(32, 7),
        );
      }
    } finally {
      process.env = saved;
    }
  });

  it('refuses a token request without the identity header', async () => {
    const response = await fetch(
      `${azure.endpoint.identityEndpoint}?api-version=2019-08-01&resource=https://vault.azure.net`,
    );
    expect(response.status).toBe(401);
    const ok = await fetch(
      `${azure.endpoint.identityEndpoint}?api-version=2019-08-01&resource=https://vault.azure.net`,
      {
        headers: { 'x-identity-header': azure.endpoint.identityHeader },
      },
    );
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ token_type: 'Bearer', resource: 'https://vault.azure.net' });
  });
});

describe('the challenge resource', () => {
  it('is one the Key Vault client accepts for IPv4 and dotted vault hosts, and Azure’s own otherwise', () => {
    const passes = (vaultHost: string) => {
      const resource = new URL(`${challengeResource(vaultHost)}/.default`).hostname;
      return new URL(`https://${vaultHost}/`).hostname.endsWith(`.${resource}`);
    };
    expect(challengeResource('127.0.0.1')).toBe('polykms-emulator://0.0.1');
    expect(passes('127.0.0.1')).toBe(true);
    expect(challengeResource('kms.ci.internal')).toBe('https://ci.internal');
    expect(passes('kms.ci.internal')).toBe(true);
    expect(challengeResource('localhost')).toBe('https://vault.azure.net');
    expect(challengeResource('::1')).toBe('https://vault.azure.net');
  });
});
