import { KeyManagementServiceClient } from '@google-cloud/kms';
import { type RunningEmulator, startEmulator } from '@polykms/emulator';

process.env['METADATA_SERVER_DETECTION'] = 'none';

export interface GcpTestBed {
  readonly emulator: RunningEmulator;
  readonly client: KeyManagementServiceClient;
  /** A new ENCRYPT_DECRYPT key (version 1 primary) in `project`/`location`. */
  createKey(options?: { project?: string; location?: string }): Promise<string>;
  stop(): Promise<void>;
}

let sequence = 0;

/** The emulator's GCP front end on loopback and the official client pointed at it. */
export async function startGcpTestBed(): Promise<GcpTestBed> {
  const emulator = await startEmulator({ clouds: ['gcp'], adminPort: false });
  const client = new KeyManagementServiceClient(emulator.gcp.clientOptions);
  return {
    emulator,
    client,
    async createKey(options = {}) {
      const parent = client.locationPath(
        options.project ?? emulator.gcp.projectId,
        options.location ?? emulator.gcp.location,
      );
      const [ring] = await client.createKeyRing({ parent, keyRingId: `ring-${++sequence}`, keyRing: {} });
      const [key] = await client.createCryptoKey({
        parent: ring.name as string,
        cryptoKeyId: `key-${sequence}`,
        cryptoKey: { purpose: 'ENCRYPT_DECRYPT' },
      });
      return key.name as string;
    },
    async stop() {
      await client.close();
      await emulator.stop();
    },
  };
}
