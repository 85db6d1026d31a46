import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { status } from '@grpc/grpc-js';
import { type RestRoute, matchRestRoute, restRequest, restResponse } from './rest-routes.js';
import type { Request } from './request.js';
import { closeServer, listenOn, sendJsonBody } from '../servers.js';
import { GcpStatusError } from './errors.js';

/** Request bodies are KMS payloads (≤ 64 KiB of data, base64) plus a few fields. */
export const MAX_REST_BODY_BYTES = 256 * 1024;

/** What one call came to, whatever the transport. */
export type CallOutcome =
  | { readonly kind: 'answer'; readonly response: unknown }
  | { readonly kind: 'error'; readonly error: GcpStatusError }
  | { readonly kind: 'drop' };

export type Invoke = (operation: string, request: Request, drop: () => void) => Promise<CallOutcome>;

/** Google's mapping of gRPC codes onto HTTP statuses (google.rpc.Code). */
const HTTP_STATUS: Readonly<Record<number, number>> = {
  [status.CANCELLED]: 499,
  [status.UNKNOWN]: 500,
  [status.INVALID_ARGUMENT]: 400,
  [status.DEADLINE_EXCEEDED]: 504,
  [status.NOT_FOUND]: 404,
  [status.ALREADY_EXISTS]: 409,
  [status.PERMISSION_DENIED]: 403,
  [status.RESOURCE_EXHAUSTED]: 429,
  [status.FAILED_PRECONDITION]: 400,
  [status.ABORTED]: 409,
  [status.OUT_OF_RANGE]: 400,
  [status.UNIMPLEMENTED]: 501,
  [status.INTERNAL]: 500,
  [status.UNAVAILABLE]: 503,
  [status.DATA_LOSS]: 500,
  [status.UNAUTHENTICATED]: 401,
};

const send = (response: ServerResponse, code: number, body: unknown) => sendJsonBody(response, code, body);

function sendError(response: ServerResponse, error: GcpStatusError): void {
  send(response, HTTP_STATUS[error.code] ?? 500, {
    error: { code: HTTP_STATUS[error.code] ?? 500, message: error.message, status: status[error.code] },
  });
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REST_BODY_BYTES) {
      throw new GcpStatusError(status.INVALID_ARGUMENT, `Request body over ${MAX_REST_BODY_BYTES} bytes.`);
    }
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new GcpStatusError(status.INVALID_ARGUMENT, 'Invalid JSON payload received.');
  }
}

/** The REST/JSON front door of the Google Cloud KMS front end: plain HTTP, any bearer token. */
export class GcpRestServer {
  #server: Server | undefined;

  constructor(
    private readonly routes: readonly RestRoute[],
    private readonly invoke: Invoke,
  ) {}

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const url = new URL(request.url ?? '/', 'http://kms.invalid');
      const matched = matchRestRoute(this.routes, request.method ?? 'GET', url.pathname);
      if (matched === undefined) {
        request.resume();
        throw new GcpStatusError(
          status.UNIMPLEMENTED,
          `The polykms emulator does not serve ${request.method} ${url.pathname.slice(0, 200)}.`,
        );
      }
      const body = await readJsonBody(request);
      const call = restRequest(matched.route, matched.values, url.searchParams, body);
      const outcome = await this.invoke(matched.route.operation, call, () => request.socket.destroy());
      if (outcome.kind === 'drop') return;
      if (outcome.kind === 'error') return sendError(response, outcome.error);
      send(response, 200, restResponse(matched.route, outcome.response));
    } catch (error) {
      sendError(
        response,
        error instanceof GcpStatusError
          ? error
          : new GcpStatusError(status.INTERNAL, 'Internal error in the emulator.'),
      );
    }
  }

  async listen(host: string, port: number): Promise<number> {
    const server = createServer((request, response) => {
      void this.#serve(request, response);
    });
    const bound = await listenOn(server, host, port);
    this.#server = server;
    return bound;
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await closeServer(server);
  }
}
