import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Server, createServer } from 'node:https';
import { sleep } from '../control.js';
import type { CloudFrontEnd, FrontEndOptions } from '../front-end.js';
import { closeServer, listenOn } from '../servers.js';
import { isIP } from 'node:net';
import type { TlsIdentity } from './certificate.js';
import { VaultError, forbiddenByPolicy, serviceUnavailable, throttled } from './errors.js';
import { handle } from './operations.js';
import { parseJsonObject, readBody, sendError, sendJson } from './http-io.js';
import { IdentityEndpoint } from './identity-endpoint.js';
import { AZURE_OPERATIONS, matchRoute, permissionOf } from './routes.js';
import { fromSnapshot, toSnapshot } from './snapshot.js';
import { type TlsFiles, prepareTlsFiles } from './tls-files.js';
import { Vault } from './store.js';

/** The shape of `@azure/core-auth`'s TokenCredential, so the emulator needs no Azure dependency. */
export interface EmulatorTokenCredential {
  getToken(
    scopes: string | string[],
    options?: unknown,
  ): Promise<{ token: string; expiresOnTimestamp: number }>;
}

export interface AzureEndpoint {
  /** `https://ADVERTISED-HOST:PORT`, the one name `caCertPem` covers. */
  readonly vaultUrl: string;
  /**
   * The self-signed leaf certificate (not a CA) the vault serves; trust it with `tlsOptions.ca` or
   * NODE_EXTRA_CA_CERTS.
   */
  readonly caCertPem: string;
  /** Absolute path of a file holding `caCertPem`, for NODE_EXTRA_CA_CERTS. */
  readonly caFile: string;
  /** Managed-identity token endpoint for DefaultAzureCredential (IDENTITY_ENDPOINT / IDENTITY_HEADER). */
  readonly identityEndpoint: string;
  readonly identityHeader: string;
  /** The tenant the 401 challenge names. */
  readonly tenantId: string;
  /** A credential that hands out a dummy token: the vault accepts any bearer token. */
  readonly credential: EmulatorTokenCredential;
  /**
   * Options for `new KeyClient(vaultUrl, credential, clientOptions)` and `CryptographyClient`: trust
   * the certificate. Skipping the challenge-resource check is needed only for a vault host the
   * challenge cannot match (a single-label name like `localhost`, or IPv6); see `challengeResource`.
   */
  readonly clientOptions: {
    readonly tlsOptions: { readonly ca: string };
    readonly disableChallengeResourceVerification: true;
  };
}

export interface AzureFrontEndOptions extends FrontEndOptions {
  /** What a throttled answer asks the client to wait (Retry-After / x-ms-retry-after-ms); default 1000. */
  readonly throttleRetryAfterMs?: number;
  /** A TLS identity to serve instead of generating one. */
  readonly tls?: TlsIdentity;
  /**
   * Keep the TLS identity in `<this>.azure-cert.pem` / `<this>.azure-key.pem` (the state file's
   * path), so it survives restarts; default: a temporary folder.
   */
  readonly tlsFilesBeside?: string | undefined;
  /** The host name clients use (certificate name, vault URL); default: the bound host. */
  readonly advertisedHost?: string | undefined;
  /** Port of the managed-identity endpoint; default any free port. */
  readonly identityPort?: number | undefined;
}

export type AzureFrontEnd = CloudFrontEnd<AzureEndpoint>;

export const EMULATOR_TENANT_ID = '00000000-0000-0000-0000-00000000e1e1';

/**
 * The resource the 401 challenge names. The Key Vault client checks that the vault's host name ends
 * with `.` + the resource's host name (for `*.vault.azure.net`, `vault.azure.net`). A dotted DNS name
 * passes with its parent domain; an IPv4 address passes with its last three labels under a
 * non-special URL scheme, whose host the URL parser keeps as written (under `https:` it would turn
 * `0.0.1` into `0.0.0.1`). The token the client then asks for is for this resource: the emulator's
 * identity endpoint issues one for any resource. Other hosts (`localhost`, IPv6) get Azure's own
 * resource and need `disableChallengeResourceVerification`.
 */
export function challengeResource(vaultHost: string): string {
  if (isIP(vaultHost) === 4) return `polykms-emulator://${vaultHost.split('.').slice(1).join('.')}`;
  const dot = vaultHost.indexOf('.');
  if (isIP(vaultHost) === 0 && dot > 0 && dot < vaultHost.length - 1) {
    return `https://${vaultHost.slice(dot + 1)}`;
  }
  return 'https://vault.azure.net';
}

const challengeFor = (vaultHost: string) =>
  `Bearer authorization="https://login.microsoftonline.com/${EMULATOR_TENANT_ID}", resource="${challengeResource(vaultHost)}"`;
const BEARER = /^Bearer [^\s]+$/;
/** A Host header we are willing to echo into `kid` URLs. */
const HOST_HEADER = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]):\d{1,5}$/;

/** The name a wildcard bind is reached by on this machine; any other host is its own name. */
function advertisedHostOf(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The Azure Key Vault front end: REST over HTTPS, the 401 challenge, and a managed-identity endpoint. */
export function createAzureFrontEnd(options: AzureFrontEndOptions): AzureFrontEnd {
  const { control, onChange } = options;
  const throttleRetryAfterMs = options.throttleRetryAfterMs ?? 1000;
  const vault = new Vault();
  const identity = new IdentityEndpoint();
  control.registerOperations('azure', AZURE_OPERATIONS);
  let certificate: TlsIdentity | undefined = options.tls;
  let tlsFiles: TlsFiles | undefined;
  let server: Server | undefined;
  let canonicalVaultUrl = '';
  let challenge = challengeFor('');

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      if (!BEARER.test(request.headers.authorization ?? '')) {
        request.resume();
        sendJson(
          response,
          401,
          { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } },
          { 'www-authenticate': challenge },
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
    operations: AZURE_OPERATIONS,

    async listen(host: string, port: number): Promise<number> {
      const advertised = options.advertisedHost ?? advertisedHostOf(host);
      if (certificate === undefined) {
        tlsFiles = await prepareTlsFiles([advertised], options.tlsFilesBeside);
        certificate = tlsFiles.identity;
      }
      challenge = challengeFor(advertised);
      await identity.listen(host, options.identityPort ?? 0);
      const https = createServer(
        { cert: certificate.certPem, key: certificate.keyPem },
        (request, response) => {
          void serve(request, response);
        },
      );
      let bound: number;
      try {
        bound = await listenOn(https, host, port);
      } catch (error) {
        await identity.close();
        throw error;
      }
      server = https;
      canonicalVaultUrl = `https://${urlHost(advertised)}:${bound}`;
      return bound;
    },

    async close(): Promise<void> {
      const https = server;
      server = undefined;
      if (https) await closeServer(https);
      await identity.close();
      await tlsFiles?.dispose();
      tlsFiles = undefined;
    },

    endpoint(host: string, port: number): AzureEndpoint {
      if (certificate === undefined) throw new Error('the Azure front end is not listening');
      const caCertPem = certificate.certPem;
      const advertised = options.advertisedHost ?? advertisedHostOf(host);
      return {
        vaultUrl: `https://${urlHost(advertised)}:${port}`,
        caCertPem,
        caFile: tlsFiles?.certFile ?? '',
        identityEndpoint: `http://${urlHost(advertised)}:${identity.port}/msi/token`,
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
      return toSnapshot(vault.snapshot(), identity.header);
    },

    restore(state: unknown): void {
      const restored = fromSnapshot(state);
      vault.restore(restored.keys);
      if (restored.identityHeader !== undefined) identity.header = restored.identityHeader;
    },

    async seedKey(name: string): Promise<string> {
      if (!/^[0-9A-Za-z-]{1,127}$/.test(name)) {
        throw new Error(`azure:${name}: a Key Vault key name is 1-127 letters, digits and dashes`);
      }
      const existing = vault.list().find((key) => key.name.toLowerCase() === name.toLowerCase());
      if (existing === undefined) {
        await vault.create(name, { kty: 'RSA', keySize: 2048 });
        onChange();
      }
      return `azure-kv://${new URL(canonicalVaultUrl).host}/keys/${name}`;
    },
  };
}
