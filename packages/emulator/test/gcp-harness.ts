import { KeyManagementServiceClient } from '@google-cloud/kms';
import { EmulatorControl } from '../src/control.js';
import { type GcpEndpoint, createGcpFrontEnd } from '../src/gcp/front-end.js';

// The official client probes the GCE metadata server unless told not to.
process.env['METADATA_SERVER_DETECTION'] = 'none';

export interface GcpHarness {
  readonly control: EmulatorControl;
  readonly endpoint: GcpEndpoint;
  readonly client: KeyManagementServiceClient;
  readonly changes: { count: number };
  readonly locationName: string;
  snapshot(): unknown;
  /** Creates a key ring with a fresh id and returns its name. */
  keyRing(): Promise<string>;
  /** Creates a key ring and an ENCRYPT_DECRYPT key with one version; returns the key name. */
  cryptoKey(): Promise<string>;
  close(): Promise<void>;
}

let sequence = 0;

/** One GCP front end on a loopback port, with the official client pointed at it. */
export async function startGcpHarness(): Promise<GcpHarness> {
  const control = new EmulatorControl();
  const changes = { count: 0 };
  const frontEnd = createGcpFrontEnd({ control, onChange: () => changes.count++ });
  const port = await frontEnd.listen('127.0.0.1', 0);
  const endpoint = frontEnd.endpoint('127.0.0.1', port);
  const client = new KeyManagementServiceClient(endpoint.clientOptions);
  const locationName = client.locationPath(endpoint.projectId, endpoint.location);
  const keyRing = async () => {
    const [ring] = await client.createKeyRing({
      parent: locationName,
      keyRingId: `ring-${++sequence}`,
      keyRing: {},
    });
    return ring.name as string;
  };
  return {
    control,
    endpoint,
    client,
    changes,
    locationName,
    keyRing,
    snapshot: () => frontEnd.snapshot(),
    async cryptoKey() {
      const parent = await keyRing();
      const [key] = await client.createCryptoKey({
        parent,
        cryptoKeyId: `key-${++sequence}`,
        cryptoKey: {
          purpose: 'ENCRYPT_DECRYPT',
          versionTemplate: { algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION' },
        },
      });
      return key.name as string;
    },
    async close() {
      await client.close();
      await frontEnd.close();
    },
  };
}

/** The gRPC status code of a rejected client call. */
export async function statusOf(promise: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code: number; details: string };
    return { code: e.code, details: e.details };
  }
  throw new Error('expected the call to fail');
}
