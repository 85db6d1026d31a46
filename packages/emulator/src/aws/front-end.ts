import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { sleep } from '../control.js';
import type { CloudFrontEnd, FrontEndOptions } from '../front-end.js';
import { closeServer, listenOn } from '../servers.js';
import { AwsServiceError, awsErrors } from './errors.js';
import type { RequestBody } from './fields.js';
import { DEFAULT_ACCOUNT, DEFAULT_REGION, accessKeyIdOf, readBody, scopeOf } from './http.js';
import { AwsKeyStore } from './store.js';
import { KMS_API_OPERATIONS } from './kms-operations.js';
import { operations } from './operations.js';

export interface AwsClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface AwsEndpoint {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  /** Dummy credentials: the emulator accepts any signature. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Ready for `new KMSClient(endpoint.clientConfig)`. */
  readonly clientConfig: AwsClientConfig;
  /** Environment variables that point any AWS SDK or the AWS CLI at the emulator. */
  readonly environment: Readonly<Record<string, string>>;
}

export type AwsFrontEnd = CloudFrontEnd<AwsEndpoint>;

const TARGET_PREFIX = 'TrentService.';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** AWS KMS over JSON 1.1 on plain HTTP, with real AES-256-GCM behind every key. */
export function createAwsFrontEnd(options: FrontEndOptions): AwsFrontEnd {
  const store = new AwsKeyStore();
  options.control.registerOperations('aws', Object.keys(operations));
  let server: Server | undefined;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const read = await readBody(request);
    if (read.kind === 'aborted') return;
    if (read.kind === 'too-large') return sendError(response, awsErrors.tooLarge());
    const target = request.headers['x-amz-target'];
    const targetText = typeof target === 'string' ? target : '';
    if (request.method !== 'POST') {
      return sendError(
        response,
        new AwsServiceError('UnknownOperationException', 404, `Only POST is served, not ${request.method}`),
      );
    }
    const name = targetText.startsWith(TARGET_PREFIX) ? targetText.slice(TARGET_PREFIX.length) : '';
    const operation = Object.hasOwn(operations, name) ? operations[name] : undefined;
    if (!operation) {
      return sendError(
        response,
        KMS_API_OPERATIONS.has(name) ? awsErrors.notServed(name) : awsErrors.unknownOperation(targetText),
      );
    }
    const body = parseBody(read.body);
    if (body instanceof AwsServiceError) return sendError(response, body);

    const scope = scopeOf(request);
    const ctx = { body, scope, store };
    const admission = options.control.admit('aws', name, operation.target(ctx), accessKeyIdOf(request));
    await sleep(admission.latencyMs);
    if (admission.outcome === 'fault') {
      if (admission.kind === 'drop') {
        request.socket.destroy();
        return;
      }
      return sendError(
        response,
        admission.kind === 'throttle' ? awsErrors.throttling() : awsErrors.unavailable(),
      );
    }
    if (admission.outcome === 'deny') {
      const resource = operation.target(ctx) || '*';
      return sendError(
        response,
        awsErrors.accessDenied(
          `User: arn:aws:iam::${scope.account}:user/polykms-emulator is not authorized to perform: kms:${name} on resource: ${resource} because no identity-based policy allows the kms:${name} action`,
        ),
      );
    }
    let result: object;
    try {
      result = operation.run(ctx);
    } catch (error) {
      return sendError(response, error instanceof AwsServiceError ? error : awsErrors.internal());
    }
    if (operation.mutates) options.onChange();
    send(response, 200, result);
  };

  const seedScope = { region: DEFAULT_REGION, account: DEFAULT_ACCOUNT };

  return {
    cloud: 'aws',
    operations: Object.keys(operations),
    async listen(host, port) {
      const created = createServer((request, response) => {
        handle(request, response).catch(() => {
          if (!response.headersSent) sendError(response, awsErrors.internal());
          else response.destroy();
        });
      });
      const bound = await listenOn(created, host, port);
      server = created;
      return bound;
    },
    async close() {
      const closing = server;
      server = undefined;
      if (closing) await closeServer(closing);
    },
    snapshot: () => store.snapshot(),
    restore: (state) => store.restore(state),
    async seedKey(name) {
      if (!/^[a-zA-Z0-9/_-]{1,250}$/.test(name) || name.startsWith('aws/')) {
        throw new Error(
          `aws:${name}: an alias name is 1-250 letters, digits, '/', '_' and '-', not starting with aws/`,
        );
      }
      // The key is found again by its alias, so a restart with --state seeds nothing twice.
      const alias = store.aliasesIn(seedScope).find((a) => a.name === `alias/${name}`);
      const existing = alias === undefined ? undefined : store.byId(alias.targetUuid, alias.region);
      if (existing !== undefined) return `aws-kms://${existing.arn}`;
      const key = store.createKey(seedScope, { description: `seeded as alias/${name}`, tags: [] });
      store.createAlias(seedScope, `alias/${name}`, key);
      options.onChange();
      return `aws-kms://${key.arn}`;
    },
    endpoint(host, port) {
      const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      const credentials = { accessKeyId: 'polykms-emulator', secretAccessKey: 'polykms-emulator' };
      return {
        endpoint,
        region: DEFAULT_REGION,
        accountId: DEFAULT_ACCOUNT,
        credentials,
        clientConfig: { endpoint, region: DEFAULT_REGION, credentials },
        environment: {
          AWS_ENDPOINT_URL_KMS: endpoint,
          AWS_REGION: DEFAULT_REGION,
          // boto3 and the AWS CLI read only AWS_DEFAULT_REGION.
          AWS_DEFAULT_REGION: DEFAULT_REGION,
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        },
      };
    },
  };
}

function parseBody(raw: Buffer): RequestBody | AwsServiceError {
  // The SDK sends `{}` for calls with no input; an empty body means the same.
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return awsErrors.serialization('Request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return awsErrors.serialization('Request body must be a JSON object');
  }
  return parsed as RequestBody;
}

function send(response: ServerResponse, status: number, payload: object): void {
  const body = JSON.stringify(payload);
  response.writeHead(status, {
    'content-type': JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(body);
}

function sendError(response: ServerResponse, error: AwsServiceError): void {
  send(response, error.status, { __type: error.type, message: error.message });
}
