import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { sleep } from '../control.js';
import type { CloudFrontEnd, FrontEndOptions } from '../front-end.js';
import { type LoopbackCertificate, generateLoopbackCertificate } from './certificate.js';
import { VaultError, forbiddenByPolicy, serviceUnavailable, throttled } from './errors.js';
import { handle } from './handlers.js';
import { parseJsonObject, readBody, sendError, sendJson } from './http-io.js';
import { IdentityEndpoint } from './identity-endpoint.js';
import { matchRoute, permissionOf } from './routes.js';
import { fromSnapshot, toSnapshot } from './snapshot.js';
import { Vault } from './vault.js';

/** The shape of `@azure/core-auth`'s TokenCredential, so the emulator needs no Azure dependency. */
export interface EmulatorTokenCredential {
  getToken(
    scopes: string | string[],
    options?: unknown,
  ): Promise<{ token: string; expiresOnTimestamp: number }>;
}

export interface AzureEndpoint {
  /** `https://127.0.0.1:PORT` (or localhost), covered by `caCertPem`. */
  readonly vaultUrl: string;
  /** The self-signed certificate the vault serves; trust it with `tlsOptions.ca` or NODE_EXTRA_CA_CERTS. */
  readonly caCertPem: string;
  /** Managed-identity token endpoint for DefaultAzureCredential (IDENTITY_ENDPOINT / IDENTITY_HEADER). */
  readonly identityEndpoint: string;
  readonly identityHeader: string;
  /** The tenant the 401 challenge names. */
  readonly tenantId: string;
  /** A credential that hands out a dummy token: the vault accepts any bearer token. */
  readonly credential: EmulatorTokenCredential;
  /**
   * Options for `new KeyClient(vaultUrl, credential, clientOptions)` and `CryptographyClient`: trust
   * the certificate, and skip the check that the challenge resource matches the host (loopback is
   * not `*.vault.azure.net`).
   */
  readonly clientOptions: {
    readonly tlsOptions: { readonly ca: string };
    readonly disableChallengeResourceVerification: true;
  };
}

export interface AzureFrontEndOptions extends FrontEndOptions {
  /** What a throttled answer asks the client to wait (Retry-After / x-ms-retry-after-ms); default 1000. */
  readonly throttleRetryAfterMs?: number;
  /** A TLS identity to serve instead of generating one (a snapshot also carries it). */
  readonly tls?: LoopbackCertificate;
}

export interface AzureFrontEnd extends CloudFrontEnd {
  endpoint(host: string, port: number): AzureEndpoint;
}

export const EMULATOR_TENANT_ID = '00000000-0000-0000-0000-00000000e1e1';

const CHALLENGE = `Bearer authorization="https://login.microsoftonline.com/${EMULATOR_TENANT_ID}", resource="https://vault.azure.net"`;
const BEARER = /^Bearer [^\s]+$/;
/** A Host header we are willing to echo into `kid` URLs. */
const HOST_HEADER = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]):\d{1,5}$/;

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** The Azure Key Vault front end: REST over HTTPS, the 401 challenge, and a managed-identity endpoint. */
export function createAzureFrontEnd(options: AzureFrontEndOptions): AzureFrontEnd {
  const { control, onChange } = options;
  const throttleRetryAfterMs = options.throttleRetryAfterMs ?? 1000;
  const vault = new Vault();
  const identity = new IdentityEndpoint();
  let certificate: LoopbackCertificate | undefined = options.tls;
  let server: Server | undefined;
  let canonicalVaultUrl = '';

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      if (!BEARER.test(request.headers.authorization ?? '')) {
        request.resume();
        sendJson(
          response,
          401,
          { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } },
          { 'www-authenticate': CHALLENGE },
        );
        return;
      }
      const url = new URL(request.url ?? '/', 'https://vault.invalid');
      const route = matchRoute(request.method ?? 'GET', url.pathname);
      if (!url.searchParams.get('api-version')) {
        throw new VaultError(400, 'BadParameter', "The 'api-version' query parameter is required.");
      }
      const body = parseJsonObject(await readBody(request));
      const permission = permissionOf(route);
      const keyIdWithoutVersion = 'name' in route ? `${canonicalVaultUrl}/keys/${route.name}` : '';
      // The caller is its bearer token (never verified): a test can hold one token per identity.
      const principal = request.headers.authorization?.slice('Bearer '.length);
      const admission = control.admit('azure', permission, keyIdWithoutVersion, principal);
      await sleep(admission.latencyMs);
      if (admission.outcome === 'fault') {
        if (admission.kind === 'drop') {
          request.socket.destroy();
          return;
        }
        throw admission.kind === 'throttle' ? throttled(throttleRetryAfterMs) : serviceUnavailable();
      }
      if (admission.outcome === 'deny') throw forbiddenByPolicy(permission, keyIdWithoutVersion);
      const host = request.headers.host;
      const vaultUrl = host !== undefined && HOST_HEADER.test(host) ? `https://${host}` : canonicalVaultUrl;
      const result = await handle(vault, vaultUrl, route, body);
      if (result.changed) onChange();
      sendJson(response, result.status, result.body);
    } catch (error) {
      if (!request.complete) {
        // Stop reading an oversized or rejected body; the connection is not reused.
        response.setHeader('connection', 'close');
        request.resume();
      }
      sendError(
        response,
        error instanceof VaultError
          ? error
          : new VaultError(500, 'InternalServerError', 'The emulator failed unexpectedly.'),
      );
    }
  }

  return {
    cloud: 'azure',

    async listen(host: string, port: number): Promise<number> {
      certificate ??= await generateLoopbackCertificate();
      await identity.listen(host);
      const https = createServer(
        { cert: certificate.certPem, key: certificate.keyPem },
        (request, response) => {
          void serve(request, response);
        },
      );
      try {
        await new Promise<void>((resolve, reject) => {
          https.once('error', reject);
          https.listen(port, host, () => {
            https.off('error', reject);
            resolve();
          });
        });
      } catch (error) {
        await identity.close();
        throw error;
      }
      server = https;
      const bound = (https.address() as AddressInfo).port;
      canonicalVaultUrl = `https://${urlHost(host)}:${bound}`;
      return bound;
    },

    async close(): Promise<void> {
      const https = server;
      server = undefined;
      if (https) {
        https.closeAllConnections();
        await new Promise<void>((resolve) => https.close(() => resolve()));
      }
      await identity.close();
    },

    endpoint(host: string, port: number): AzureEndpoint {
      if (certificate === undefined) throw new Error('the Azure front end is not listening');
      const caCertPem = certificate.certPem;
      return {
        vaultUrl: `https://${urlHost(host)}:${port}`,
        caCertPem,
        identityEndpoint: `http://${urlHost(host)}:${identity.port}/msi/token`,
        identityHeader: identity.header,
        tenantId: EMULATOR_TENANT_ID,
        credential: {
          getToken: async () => ({
            token: 'polykms-emulator-token',
            expiresOnTimestamp: Date.now() + 3_600_000,
          }),
        },
        clientOptions: { tlsOptions: { ca: caCertPem }, disableChallengeResourceVerification: true },
      };
    },

    snapshot(): unknown {
      return toSnapshot(vault.snapshot(), certificate);
    },

    restore(state: unknown): void {
      const restored = fromSnapshot(state);
      vault.restore(restored.keys);
      if (restored.tls !== undefined) {
        certificate = restored.tls;
        server?.setSecureContext({ cert: certificate.certPem, key: certificate.keyPem });
      }
    },
  };
}
