import { randomBytes, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { closeServer, listenOn, sendJsonBody } from '../servers.js';

/**
 * The App Service managed-identity endpoint (api-version 2019-08-01), so that
 * `DefaultAzureCredential` / `ManagedIdentityCredential` get a token with nothing but
 * `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` set. Plain HTTP on loopback, as App Service's own is.
 */
export class IdentityEndpoint {
  /** The secret the client must echo in `x-identity-header`. */
  header: string;
  #server: Server | undefined;
  #port = 0;

  /** `header`: a fixed secret (kept in the state file, so CI definitions can name it); default random. */
  constructor(header: string = randomBytes(16).toString('hex')) {
    this.header = header;
  }

  async listen(host: string, port = 0): Promise<number> {
    const server = createServer((request, response) => this.#serve(request, response));
    this.#port = await listenOn(server, host, port);
    this.#server = server;
    return this.#port;
  }

  get port(): number {
    return this.#port;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    await closeServer(server);
  }

  #serve(request: IncomingMessage, response: ServerResponse): void {
    request.resume();
    const url = new URL(request.url ?? '/', 'http://localhost');
    const send = (status: number, body: unknown) => sendJsonBody(response, status, body);
    if (request.method !== 'GET' || url.pathname !== '/msi/token') {
      send(404, { error: 'not_found', error_description: 'Only GET /msi/token is served here.' });
      return;
    }
    const presented = Buffer.from(String(request.headers['x-identity-header'] ?? ''));
    const expected = Buffer.from(this.header);
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      send(401, { error: 'unauthorized', error_description: 'Missing or wrong x-identity-header.' });
      return;
    }
    const resource = url.searchParams.get('resource');
    if (!resource) {
      send(400, { error: 'invalid_request', error_description: "The 'resource' parameter is required." });
      return;
    }
    const expiresOn = Math.floor(Date.now() / 1000) + 3600;
    send(200, {
      access_token: `polykms-emulator-${randomBytes(16).toString('hex')}`,
      expires_on: String(expiresOn),
      resource,
      token_type: 'Bearer',
    });
  }
}
