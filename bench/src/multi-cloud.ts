import { type Cloud, startEmulator } from '@polykms/emulator';
import { MultiKeyring, encrypt } from '@polykms/envelope';
import { keyringFromUris } from '@polykms/key-uri';
import {
  createAwsKey,
  createAzureKey,
  createGcpKey,
  emulatorProviderSettings,
} from 'polykms/emulator-clouds';
import { race } from './measure.js';

export interface MultiCloudResult {
  /** The generator's GenerateDataKey first, then the other two at once. */
  readonly generatorMs: number;
  /** `generateLocally`: the data key from node:crypto, all three wrap at once. */
  readonly localMs: number;
}

/**
 * A 1 KiB encrypt for AWS KMS + Google Cloud KMS + Azure Key Vault through their real keyrings and
 * SDK clients, against the emulator with `latencyMs` injected into every call of every cloud:
 * with the generator's data key (≈ 2 L) and with one made locally (≈ L).
 */
export async function threeCloudEncrypt(latencyMs: number, rounds: number): Promise<MultiCloudResult> {
  const emulator = await startEmulator({ adminPort: false });
  const settings = await emulatorProviderSettings(emulator);
  try {
    const uris = [
      await createAwsKey(emulator.aws, 'bench'),
      await createGcpKey(emulator.gcp, 'bench', 'three-clouds'),
      await createAzureKey(emulator.azure, 'bench-three-clouds'),
    ];
    const [aws, gcp, azure] = await Promise.all(
      uris.map((uri) => keyringFromUris([uri], { ...settings, purpose: 'encrypt' })),
    );
    const viaGenerator = new MultiKeyring({ generator: aws!, children: [gcp!, azure!] });
    const local = new MultiKeyring({ generator: aws!, children: [gcp!, azure!], generateLocally: true });
    const plaintext = Buffer.alloc(1024, 1);
    // Connections and clients warm before the latency goes in.
    await encrypt(plaintext, { keyring: viaGenerator });
    await encrypt(plaintext, { keyring: local });
    for (const cloud of ['aws', 'gcp', 'azure'] as Cloud[]) {
      emulator.control.injectFault({ cloud, kind: 'latency', latencyMs });
    }
    const ms = await race(rounds, {
      generator: () => encrypt(plaintext, { keyring: viaGenerator }),
      local: () => encrypt(plaintext, { keyring: local }),
    });
    return { generatorMs: ms.generator, localMs: ms.local };
  } finally {
    await (settings.gcp?.client as { close?: () => Promise<void> } | undefined)?.close?.();
    await emulator.stop();
  }
}
