import { type AddressInfo, type Server as NetServer, type Socket, createServer } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { sleep } from '../control.js';
import type { CloudFrontEnd, FrontEndOptions } from '../front-end.js';
import { loadKeyManagementService } from './protos.js';
import { type GcpMethod, createGcpService } from './service.js';
import { GcpStatusError } from './status.js';
import { GcpKeyStore } from './store.js';

export interface GcpEndpoint {
  readonly host: string;
  readonly port: number;
  /** A project id to use in resource names; the emulator accepts any project and location. */
  readonly projectId: string;
  readonly location: string;
  /**
   * Options for `new KeyManagementServiceClient(clientOptions)`: plaintext gRPC to this
   * emulator, no credentials. Set `METADATA_SERVER_DETECTION=none` too, or the client probes
   * the GCE metadata server first.
   */
  readonly clientOptions: {
    readonly apiEndpoint: string;
    readonly port: number;
    readonly sslCreds: grpc.ChannelCredentials;
  };
}

export interface GcpFrontEnd extends CloudFrontEnd {
  endpoint(host: string, port: number): GcpEndpoint;
}

export const DEFAULT_GCP_PROJECT = 'polykms-emulator';
export const DEFAULT_GCP_LOCATION = 'global';

/**
 * Google Cloud KMS over gRPC. Connections are accepted by our own TCP server and handed to
 * grpc-js, so that a `drop` fault can destroy the very connection a call came on.
 */
export function createGcpFrontEnd(options: FrontEndOptions): GcpFrontEnd {
  const { control, onChange } = options;
  const store = new GcpKeyStore();
  const methods = createGcpService(store);
  const grpcServer = new grpc.Server();
  const sockets = new Map<string, Socket>();
  let netServer: NetServer | undefined;
  let injector: ReturnType<grpc.Server['createConnectionInjector']> | undefined;

  const dropConnectionOf = (peer: string) => {
    const socket = sockets.get(peer);
    if (socket) socket.destroy();
  };

  const serve =
    (operation: string, method: GcpMethod): grpc.handleUnaryCall<Record<string, unknown>, unknown> =>
    (call, callback) => {
      void (async () => {
        try {
          const { resource, keyId } = method.target(call.request);
          const admission = control.admit('gcp', operation, keyId);
          await sleep(admission.latencyMs);
          if (admission.outcome === 'fault') {
            if (admission.kind === 'drop') {
              dropConnectionOf(call.getPeer());
              return;
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
          const response = method.handle(call.request);
          if (method.mutates) onChange();
          callback(null, response);
        } catch (error) {
          if (error instanceof GcpStatusError) callback(error.toStatus());
          else callback({ code: grpc.status.INTERNAL, details: 'Internal error in the emulator.' });
        }
      })();
    };

  const implementation: grpc.UntypedServiceImplementation = {};
  for (const [operation, method] of Object.entries(methods))
    implementation[operation] = serve(operation, method);
  grpcServer.addService(loadKeyManagementService(), implementation);

  return {
    cloud: 'gcp',
    async listen(host, port) {
      injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
      const server = createServer((socket) => {
        const peer = `${socket.remoteAddress}:${socket.remotePort}`;
        sockets.set(peer, socket);
        socket.once('close', () => sockets.delete(peer));
        injector?.injectConnection(socket);
      });
      netServer = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return (server.address() as AddressInfo).port;
    },
    async close() {
      injector?.destroy();
      grpcServer.forceShutdown();
      for (const socket of sockets.values()) socket.destroy();
      const server = netServer;
      netServer = undefined;
      if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    snapshot: () => store.snapshot(),
    restore: (state) => store.restore(state),
    endpoint(host, port) {
      return {
        host,
        port,
        projectId: DEFAULT_GCP_PROJECT,
        location: DEFAULT_GCP_LOCATION,
        clientOptions: { apiEndpoint: host, port, sslCreds: grpc.credentials.createInsecure() },
      };
    },
  };
}
