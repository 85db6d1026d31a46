import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fromProto3JSON, toProto3JSON } from 'proto3-json-serializer';
import protobuf from 'protobufjs';
import { SERVICE_PROTO, loadKeyManagementService, protoIncludeDirs } from './protos.js';
import type { Request } from './request.js';
import { invalidArgument } from './errors.js';

/**
 * Google's HTTP/JSON transcoding of the same RPCs (what `gcloud kms` and the Node client's REST
 * fallback speak), read from the `google.api.http` rules in the service's own .proto files. A REST
 * request becomes the very request object the gRPC path decodes (JSON → protobuf message → bytes →
 * the gRPC deserializer), so both transports run the same handlers; proto3-json-serializer (Google's
 * own, used by google-gax) does the proto3 JSON mapping of bytes, int64, enums, wrappers, Timestamp
 * and Duration.
 */
export interface RestRoute {
  readonly operation: string;
  readonly httpMethod: string;
  readonly pattern: RegExp;
  /** Request field paths (camelCase) filled from the pattern's variables, in order. */
  readonly variables: readonly string[];
  /** '*' = the whole body is the request; a field path = the body is that field; undefined = no body. */
  readonly body: string | undefined;
  readonly requestType: protobuf.Type;
  readonly responseType: protobuf.Type;
}

interface HttpRule {
  readonly get?: string;
  readonly post?: string;
  readonly patch?: string;
  readonly delete?: string;
  readonly put?: string;
  readonly body?: string;
}

const camel = (path: string) =>
  path
    .split('.')
    .map((part) => part.replaceAll(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()))
    .join('.');

function escapeRegExp(text: string): string {
  return text.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `/v1/{name=projects/*\/…/cryptoKeys/**}:encrypt` → a regular expression and its variables. */
function compileTemplate(template: string): { pattern: RegExp; variables: string[] } {
  const variables: string[] = [];
  let source = '';
  let rest = template;
  while (rest.length > 0) {
    const open = rest.indexOf('{');
    if (open < 0) {
      source += escapeRegExp(rest);
      break;
    }
    source += escapeRegExp(rest.slice(0, open));
    const close = rest.indexOf('}', open);
    const [field, segments = '*'] = rest.slice(open + 1, close).split('=');
    variables.push(camel(field as string));
    const inner = segments
      .split('/')
      .map((segment) => (segment === '**' ? '.+?' : segment === '*' ? '[^/]+' : escapeRegExp(segment)))
      .join('/');
    source += `(${inner})`;
    rest = rest.slice(close + 1);
  }
  return { pattern: new RegExp(`^${source}$`), variables };
}

let cachedRoutes: RestRoute[] | undefined;

/** The REST routes of `operations` (the RPCs the emulator serves), parsed once per process. */
export function restRoutes(operations: readonly string[]): RestRoute[] {
  cachedRoutes ??= loadRoutes();
  return cachedRoutes.filter((route) => operations.includes(route.operation));
}

function loadRoutes(): RestRoute[] {
  const root = new protobuf.Root();
  const dirs = protoIncludeDirs();
  root.resolvePath = (_origin, target) =>
    dirs.map((dir) => join(dir, target)).find((path) => existsSync(path)) ?? target;
  root.loadSync(SERVICE_PROTO, { keepCase: false });
  root.resolveAll();
  const service = root.lookupService('google.cloud.kms.v1.KeyManagementService');
  const routes: RestRoute[] = [];
  for (const [operation, method] of Object.entries(service.methods)) {
    const options = (method.parsedOptions ?? []) as Record<string, unknown>[];
    const rule = options.find((o) => '(google.api.http)' in o)?.['(google.api.http)'] as HttpRule | undefined;
    if (rule === undefined) continue;
    for (const httpMethod of ['get', 'post', 'patch', 'delete', 'put'] as const) {
      const template = rule[httpMethod];
      if (template === undefined) continue;
      routes.push({
        operation,
        httpMethod: httpMethod.toUpperCase(),
        ...compileTemplate(template),
        body: rule.body === undefined || rule.body === '*' ? rule.body : camel(rule.body),
        requestType: method.resolvedRequestType as protobuf.Type,
        responseType: method.resolvedResponseType as protobuf.Type,
      });
    }
  }
  return routes;
}

export function matchRestRoute(
  routes: readonly RestRoute[],
  httpMethod: string,
  path: string,
): { route: RestRoute; values: string[] } | undefined {
  for (const route of routes) {
    if (route.httpMethod !== httpMethod) continue;
    const match = route.pattern.exec(path);
    if (match) return { route, values: match.slice(1).map((v) => decodeURIComponent(v)) };
  }
  return undefined;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    node[part] = typeof next === 'object' && next !== null ? next : {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1) as string] = value;
}

/**
 * The gRPC-shaped request for a REST call: path variables, then query parameters (GET/DELETE and
 * fields outside the body), then the body, as proto3 JSON.
 */
export function restRequest(
  route: RestRoute,
  values: readonly string[],
  query: URLSearchParams,
  body: unknown,
): Request {
  const json: Record<string, unknown> = {};
  for (const [name, value] of query) {
    if (name === 'alt' || name === '$alt' || name === 'prettyPrint' || name === '$prettyPrint') continue;
    setPath(json, camel(name), value);
  }
  if (route.body === '*') {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw invalidArgument('The request body must be a JSON object.');
    }
    Object.assign(json, body);
  } else if (route.body !== undefined && body !== undefined) {
    setPath(json, route.body, body);
  }
  route.variables.forEach((field, i) => {
    setPath(json, field, values[i]);
  });
  let message: protobuf.Message;
  try {
    message = fromProto3JSON(route.requestType, json as never) as protobuf.Message;
  } catch (error) {
    throw invalidArgument(`Invalid JSON payload received. ${(error as Error).message}`);
  }
  const encoded = Buffer.from(route.requestType.encode(message).finish());
  const definition = loadKeyManagementService()[route.operation];
  if (definition === undefined) throw invalidArgument(`No such method ${route.operation}.`);
  return definition.requestDeserialize(encoded) as Request;
}

/** The proto3 JSON of a handler's gRPC-shaped answer. */
export function restResponse(route: RestRoute, response: unknown): unknown {
  const definition = loadKeyManagementService()[route.operation];
  if (definition === undefined) return {};
  const bytes = definition.responseSerialize(response);
  return toProto3JSON(route.responseType.decode(bytes) as never);
}
