import { createHash, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { z } from 'zod';
import { ControlRuleError, type EmulatorControl } from './control.js';
import type { KeySeed, SeededKey } from './seed.js';
import { closeServer, listenOn, sendJsonBody } from './servers.js';

const MAX_BODY_BYTES = 64 * 1024;

const cloud = z.enum(['aws', 'gcp', 'azure']);
const ruleSchema = z.object({
  cloud,
  operation: z.string().min(1),
  keyId: z.string().min(1).optional(),
  principal: z.string().min(1).optional(),
});
const allowSchema = z.object({
  cloud,
  operation: z.string().min(1).optional(),
  keyId: z.string().min(1).optional(),
  principal: z.string().min(1).optional(),
});
const faultSchema = z.object({
  cloud,
  kind: z.enum(['throttle', 'unavailable', 'latency', 'drop']),
  operation: z.string().min(1).optional(),
  keyId: z.string().min(1).optional(),
  count: z.number().int().positive().optional(),
  latencyMs: z.number().int().nonnegative().max(600_000).optional(),
});

const keySeedSchema = z.object({ cloud, name: z.string().min(1).max(300) });

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface AdminServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  close(): Promise<void>;
}

export interface AdminOptions {
  readonly control: EmulatorControl;
  /** The variables a user exports to reach the emulator (served at GET /env). */
  readonly env: () => Readonly<Record<string, string>>;
  /** Every request must carry `authorization: Bearer <token>`. */
  readonly token: string;
  readonly createKey: (seed: KeySeed) => Promise<SeededKey>;
  readonly keys: () => readonly SeededKey[];
  /**
   * The name clients use when the admin binds a wildcard address (`--admin-host 0.0.0.0`): it goes
   * into the admin URL and is the one other Host header accepted.
   */
  readonly advertisedHost?: string | undefined;
}

/** Equal-length digests, so the comparison takes the same time whatever the presented token. */
function tokenMatches(presented: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

const LOOPBACK_HOST_HEADER = /^(?:127(?:\.\d{1,3}){3}|localhost|\[::1\]):(\d{1,5})$/;

/**
 * Refuses requests a web page could make: a Host other than the admin's own (DNS rebinding) and
 * any cross-origin request (a page's fetch carries Origin / Sec-Fetch-Site). Then the token.
 */
function checkCaller(request: IncomingMessage, options: AdminOptions, ownHost: string, port: number): void {
  const host = request.headers.host ?? '';
  const loopback = LOOPBACK_HOST_HEADER.exec(host);
  if (!(loopback && Number(loopback[1]) === port) && host !== `${ownHost}:${port}`) {
    throw new HttpError(403, `Host ${host.slice(0, 100)} is not this admin endpoint`);
  }
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) {
    throw new HttpError(403, 'cross-origin requests are refused');
  }
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new HttpError(403, 'cross-site requests are refused');
  }
  const authorization = request.headers.authorization ?? '';
  const presented = authorization.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : '';
  if (!tokenMatches(presented, options.token)) {
    throw new HttpError(
      401,
      'missing or wrong token: send authorization: Bearer $POLYKMS_EMULATOR_ADMIN_TOKEN',
    );
  }
}

/**
 * The admin endpoint: the in-process `EmulatorControl` over HTTP+JSON, for a CLI session or a CI
 * job that runs the emulator as a separate process.
 *
 * Every request needs `authorization: Bearer <token>`, a loopback (or the admin's own) Host and no
 * foreign Origin.
 *
 *   GET    /health                         {"ok":true}
 *   GET    /env                            the export variables
 *   GET    /calls?cloud=&operation=&keyId= {"records":[…],"total":N}
 *   POST   /calls/reset                    reset the counters
 *   POST   /deny    {cloud, operation, keyId?, principal?}
 *   POST   /allow   {cloud, operation?, keyId?, principal?}
 *   POST   /faults  {cloud, kind, operation?, keyId?, count?, latencyMs?}   → {"id":N}
 *   GET    /faults?cloud=                  {"faults":[{id, cloud, kind, …, remaining}]}
 *   DELETE /faults/N                       clear one fault
 *   DELETE /faults?cloud=gcp               clear all faults (of one cloud)
 *   POST   /reset                          clear faults, denials and counters
 *   GET    /keys                           {"keys":[{cloud, name, uri, variable}]} (seeded keys)
 *   POST   /keys    {cloud, name}          create (or find) a key → {cloud, name, uri, variable}
 */
export async function startAdminServer(
  options: AdminOptions,
  host: string,
  port: number,
): Promise<AdminServer> {
  const { control } = options;

  let boundPort = 0;
  const wildcard = host === '0.0.0.0' || host === '::';
  const named = wildcard ? (options.advertisedHost ?? '127.0.0.1') : host;
  const ownHost = named.includes(':') ? `[${named}]` : named;
  const route = async (request: IncomingMessage): Promise<unknown> => {
    checkCaller(request, options, ownHost, boundPort);
    const url = new URL(request.url ?? '/', 'http://admin');
    const method = request.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const param = (name: string) => url.searchParams.get(name) ?? undefined;
    const key = `${method} ${path}`;
    if (key === 'GET /health') return { ok: true };
    if (key === 'GET /env') return options.env();
    if (key === 'GET /calls') {
      const cloudParam = param('cloud');
      return control.calls({
        ...(cloudParam === undefined ? {} : { cloud: parse(cloud, cloudParam) }),
        ...(param('operation') === undefined ? {} : { operation: param('operation') }),
        ...(param('keyId') === undefined ? {} : { keyId: param('keyId') }),
      });
    }
    if (key === 'POST /calls/reset') {
      control.resetCounters();
      return { ok: true };
    }
    if (key === 'POST /deny') {
      const rule = parse(ruleSchema, await readJson(request));
      refuseBadRule(() => control.deny(rule));
      return { ok: true };
    }
    if (key === 'POST /allow') {
      control.allow(parse(allowSchema, await readJson(request)));
      return { ok: true };
    }
    if (key === 'POST /faults') {
      const spec = parse(faultSchema, await readJson(request));
      return { id: refuseBadRule(() => control.injectFault(spec)) };
    }
    if (key === 'GET /faults') {
      const cloudParam = param('cloud');
      return { faults: control.faults(cloudParam === undefined ? undefined : parse(cloud, cloudParam)) };
    }
    if (key === 'GET /keys') return { keys: options.keys() };
    if (key === 'POST /keys') {
      const seed = parse(keySeedSchema, await readJson(request));
      try {
        return await options.createKey(seed);
      } catch (error) {
        throw new HttpError(400, error instanceof Error ? error.message : String(error));
      }
    }
    if (key === 'DELETE /faults') {
      const cloudParam = param('cloud');
      control.clearFaults(cloudParam === undefined ? undefined : parse(cloud, cloudParam));
      return { ok: true };
    }
    const faultId = /^\/faults\/(\d{1,9})$/.exec(path);
    if (method === 'DELETE' && faultId) {
      control.clearFault(Number(faultId[1]));
      return { ok: true };
    }
    if (key === 'POST /reset') {
      control.reset();
      return { ok: true };
    }
    throw new HttpError(404, `no admin route ${method} ${path}`);
  };

  const server: Server = createServer((request, response) => {
    route(request).then(
      (body) => send(response, 200, body),
      (error: unknown) =>
        error instanceof HttpError
          ? send(response, error.status, { error: error.message })
          : send(response, 500, { error: 'internal error' }),
    );
  });
  boundPort = await listenOn(server, host, port);
  return { url: `http://${ownHost}:${boundPort}`, close: () => closeServer(server) };
}

function refuseBadRule<T>(apply: () => T): T {
  try {
    return apply();
  } catch (error) {
    if (error instanceof ControlRuleError) throw new HttpError(400, error.message);
    throw error;
  }
}

const send = (response: ServerResponse, status: number, body: unknown) =>
  sendJsonBody(response, status, body);

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw new HttpError(400, `invalid request: ${issues}`);
  }
  return result.data;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}
