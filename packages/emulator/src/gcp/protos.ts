import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const require = createRequire(import.meta.url);

/**
 * Folder of an installed package, found the way Node finds it (never a hard-coded node_modules
 * path): resolve its entry point, then walk up to its package.json (google-gax's `exports`
 * hides `package.json` itself).
 */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (manifest.name === name) return dir;
    } catch {
      // no package.json at this level
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the folder of package ${name}`);
    dir = parent;
  }
}

let cached: grpc.ServiceDefinition | undefined;

/**
 * The KeyManagementService definition (parsed once per process), loaded from the very .proto
 * files the official client ships, so the emulator speaks exactly the wire format that client
 * encodes.
 */
export function loadKeyManagementService(): grpc.ServiceDefinition {
  cached ??= loadFromProtos();
  return cached;
}

/** Where the .proto files of the service and of its imports (google/api, google/protobuf) live. */
export function protoIncludeDirs(): string[] {
  return [
    join(packageDir('@google-cloud/kms'), 'build', 'protos'),
    join(packageDir('google-gax'), 'build', 'protos'),
  ];
}

export const SERVICE_PROTO = 'google/cloud/kms/v1/service.proto';

function loadFromProtos(): grpc.ServiceDefinition {
  const definition = protoLoader.loadSync(SERVICE_PROTO, {
    includeDirs: protoIncludeDirs(),
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    google: { cloud: { kms: { v1: { KeyManagementService: grpc.ServiceClientConstructor } } } };
  };
  return loaded.google.cloud.kms.v1.KeyManagementService.service;
}
