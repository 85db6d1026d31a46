import { type Server as NetServer, type Socket, createServer } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { GoogleAuth, googleAuthLibrary } from 'google-gax';
import { sleep } from '../control.js';
import type { CloudFrontEnd, FrontEndOptions } from '../front-end.js';
import { isLoopback, listenOn } from '../servers.js';
import { type AccessTokenFile, writeAccessTokenFile } from './access-token-file.js';
import { loadKeyManagementService } from './protos.js';
import { restRoutes } from './rest-routes.js';
import { GcpRestServer, type Invoke } from './rest-server.js';
import { createGcpService } from './operations.js';
import { GcpStatusError, unimplemented } from './errors.js';
import { DEFAULT_DESTROY_SCHEDULED_SECONDS, GcpKeyStore } from './store.js';

export interface GcpEndpoint {
  readonly host: string;
  readonly port: number;
  /** A project id to use in resource names; the emulator accepts any project and location. */
  readonly projectId: string;
  readonly location: string;
  /**
   * Options for `new KeyManagementServiceClient(clientOptions)`: plaintext gRPC to this emulator,
   * and an auth whose client never looks for credentials, so the client neither walks Google's
   * credential chain nor probes the metadata server (a link-local address on a cloud VM).
   */
  readonly clientOptions: {
    readonly apiEndpoint: string;
    readonly port: number;
    readonly sslCreds: grpc.ChannelCredentials;
    readonly projectId: string;
    readonly auth: GoogleAuth;
  };
  /**
   * Variables for processes: the Google client has no endpoint variable, so the endpoint pair is
   * ours (read by `@polykms/gcp-kms`), and METADATA_SERVER_DETECTION=none stops google-auth-library's
   * metadata-server probe.
   */
  readonly environment: Readonly<Record<string, string>>;
  /** `http://HOST:PORT` of the REST/JSON transcoding of the same API (what gcloud speaks). */
  readonly restUrl: string;
  /** Options for `new KeyManagementServiceClient(restClientOptions)` in its REST (`fallback`) mode. */
  readonly restClientOptions: {
    readonly apiEndpoint: string;
    readonly port: number;
    readonly protocol: 'http';
    readonly fallback: true;
    readonly projectId: string;
    readonly auth: GoogleAuth;
  };
}

export type GcpFrontEnd = CloudFrontEnd<GcpEndpoint>;

export const DEFAULT_GCP_PROJECT = 'polykms-emulator';
export const DEFAULT_GCP_LOCATION = 'global';
/**
 * A connection with no call in flight for this long is closed (clients reconnect on their next
 * call), so abandoned connections do not pile up in a long-running emulator.
 */
export const GCP_IDLE_CONNECTION_MS = 5 * 60_000;
const SEED_NAME = /^([a-zA-Z0-9_-]{1,63})\/([a-zA-Z0-9_-]{1,63})$/;

/**
 * Google Cloud KMS over gRPC, and the same RPCs over REST/JSON. gRPC connections are accepted by
 * our own TCP server and handed to grpc-js, so that close() can end every one of them at once.
 */
export interface GcpFrontEndOptions extends FrontEndOptions {
  /** Port of the REST/JSON transcoding (gcloud, the Node client's fallback); default any free port. */
  readonly restPort?: number | undefined;
  /** Keep gcloud's access-token file at `<this>.gcloud-token` (the state file's path); default temporary. */
  readonly tokenFileBeside?: string | undefined;
  /** Close a gRPC connection with no call in flight after this long; default GCP_IDLE_CONNECTION_MS. */
  readonly idleConnectionMs?: number | undefined;
}

export function createGcpFrontEnd(options: GcpFrontEndOptions): GcpFrontEnd {
  const { control, onChange } = options;
  const store = new GcpKeyStore();
  const methods = createGcpService(store);
  control.registerOperations('gcp', Object.keys(methods));
  const grpcServer = new grpc.Server({
    'grpc.max_connection_idle_ms': options.idleConnectionMs ?? GCP_IDLE_CONNECTION_MS,
  });
  const sockets = new Map<string, Socket>();
  let netServer: NetServer | undefined;
  let injector: ReturnType<grpc.Server['createConnectionInjector']> | undefined;

  /** One call, whatever the transport: admission (faults, denials, counters), then the handler. */
  const invoke: Invoke = async (operation, request, drop) => {
    const method = methods[operation];
    if (method === undefined) {
      return { kind: 'error', error: unimplemented(`The polykms emulator does not serve ${operation}.`) };
    }
    try {
      const { resource, keyId } = method.target(request);
      const admission = control.admit('gcp', operation, keyId);
      await sleep(admission.latencyMs);
      if (admission.outcome === 'fault') {
        if (admission.kind === 'drop') {
          drop();
          return { kind: 'drop' };
        }
        throw admission.kind === 'throttle'
          ? new GcpStatusError(
              grpc.status.RESOURCE_EXHAUSTED,
              `Quota exceeded for quota metric 'Cryptographic requests' of service 'cloudkms.googleapis.com' (emulated fault on ${keyId}).`,
            )
          : new GcpStatusError(
              grpc.status.UNAVAILABLE,
              'The service is currently unavailable (emulated fault).',
            );
      }
      if (admission.outcome === 'deny') {
        throw new GcpStatusError(
          grpc.status.PERMISSION_DENIED,
          `Permission '${method.permission}' denied on resource '${resource}' (or it may not exist).`,
        );
      }
      const response = method.handle(request);
      if (method.mutates) onChange();
      return { kind: 'answer', response };
    } catch (error) {
      return {
        kind: 'error',
        error:
          error instanceof GcpStatusError
            ? error
            : new GcpStatusError(grpc.status.INTERNAL, 'Internal error in the emulator.'),
      };
    }
  };

  const serve =
    (operation: string): grpc.handleUnaryCall<Record<string, unknown>, unknown> =>
    (call, callback) => {
      // A drop ends this call alone, as UNAVAILABLE (what the client sees when its connection
      // breaks), never the connection: other calls multiplexed on it must not fail with it.
      const drop = () =>
        callback({
          code: grpc.status.UNAVAILABLE,
          details: 'Connection dropped (emulated fault): this call got no answer from the service.',
        });
      void invoke(operation, call.request, drop).then((outcome) => {
        if (outcome.kind === 'answer') callback(null, outcome.response);
        if (outcome.kind === 'error') callback(outcome.error.toStatus());
      });
    };
  const rest = new GcpRestServer(restRoutes(Object.keys(methods)), invoke);
  let restPort = 0;
  let tokenFile: AccessTokenFile | undefined;

  const implementation: grpc.UntypedServiceImplementation = {};
  for (const operation of Object.keys(methods)) implementation[operation] = serve(operation);
  grpcServer.addService(loadKeyManagementService(), implementation);

  return {
    cloud: 'gcp',
    operations: Object.keys(methods),
    async listen(host, port) {
      injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
      const server = createServer((socket) => {
        const peer = `${socket.remoteAddress}:${socket.remotePort}`;
        sockets.set(peer, socket);
        socket.once('close', () => sockets.delete(peer));
        injector?.injectConnection(socket);
      });
      netServer = server;
      const bound = await listenOn(server, host, port);
      try {
        restPort = await rest.listen(host, options.restPort ?? 0);
        tokenFile = await writeAccessTokenFile(options.tokenFileBeside);
      } catch (error) {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await rest.close();
        throw error;
      }
      return bound;
    },
    async close() {
      await rest.close();
      await tokenFile?.dispose();
      tokenFile = undefined;
      injector?.destroy();
      grpcServer.forceShutdown();
      for (const socket of sockets.values()) socket.destroy();
      const server = netServer;
      netServer = undefined;
      if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    snapshot: () => store.snapshot(),
    restore: (state) => store.restore(state),
    async seedKey(name) {
      const match = SEED_NAME.exec(name);
      if (!match) {
        throw new Error(`gcp:${name}: name a key as RING/KEY, each 1-63 letters, digits, '_' or '-'`);
      }
      const ring = `projects/${DEFAULT_GCP_PROJECT}/locations/${DEFAULT_GCP_LOCATION}/keyRings/${match[1]}`;
      const keyName = `${ring}/cryptoKeys/${match[2]}`;
      if (!store.keyRings.has(ring)) store.addKeyRing(ring);
      if (!store.cryptoKeys.has(keyName)) {
        const key = store.addCryptoKey({
          name: keyName,
          protectionLevel: 'SOFTWARE',
          labels: {},
          destroyScheduledSeconds: DEFAULT_DESTROY_SCHEDULED_SECONDS,
        });
        key.primaryId = store.addVersion(key).id;
        onChange();
      }
      return `gcp-kms://${keyName}`;
    },
    endpoint(host, port) {
      const urlHost = host.includes(':') ? `[${host}]` : host;
      const restUrl = `http://${urlHost}:${restPort}`;
      return {
        environment: {
          POLYKMS_GCP_KMS_ENDPOINT: `${urlHost}:${port}`,
          // @polykms/gcp-kms talks plaintext gRPC to a host off loopback only when told so.
          ...(isLoopback(host) ? {} : { POLYKMS_GCP_KMS_EMULATOR_REMOTE: '1' }),
          POLYKMS_GCP_PROJECT: DEFAULT_GCP_PROJECT,
          POLYKMS_GCP_LOCATION: DEFAULT_GCP_LOCATION,
          METADATA_SERVER_DETECTION: 'none',
          // gcloud: its KMS calls go to the REST front door, with a dummy token and our project.
          CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDKMS: `${restUrl}/`,
          CLOUDSDK_AUTH_ACCESS_TOKEN_FILE: tokenFile?.path ?? '',
          CLOUDSDK_CORE_PROJECT: DEFAULT_GCP_PROJECT,
        },
        restUrl,
        restClientOptions: {
          apiEndpoint: host,
          port: restPort,
          protocol: 'http',
          fallback: true,
          projectId: DEFAULT_GCP_PROJECT,
          auth: new GoogleAuth({
            authClient: new googleAuthLibrary.PassThroughClient(),
            projectId: DEFAULT_GCP_PROJECT,
          }),
        },
        host,
        port,
        projectId: DEFAULT_GCP_PROJECT,
        location: DEFAULT_GCP_LOCATION,
        clientOptions: {
          apiEndpoint: host,
          port,
          sslCreds: grpc.credentials.createInsecure(),
          projectId: DEFAULT_GCP_PROJECT,
          auth: new GoogleAuth({
            authClient: new googleAuthLibrary.PassThroughClient(),
            projectId: DEFAULT_GCP_PROJECT,
          }),
        },
      };
    },
  };
}
