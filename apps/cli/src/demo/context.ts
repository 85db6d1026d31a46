import { join } from 'node:path';
import { type Keyring, isPolykmsError, parseHeader, recipientFailuresOf } from '@polykms/envelope';
import { keyringFromUris } from '@polykms/key-uri';
import { type Keyset, openKeyset, readKeysetFile } from '@polykms/keyset';
import { exitCodeFor } from '../exit-codes.js';
import type { Cloud, CloudKeys, EmulatedClouds } from './emulator-clouds.js';
import type { Narrator } from './narrator.js';

export const CLOUD_NAMES: Readonly<Record<Cloud, string>> = {
  aws: 'AWS KMS',
  gcp: 'Google Cloud KMS',
  azure: 'Azure Key Vault',
};

/** KMS calls per cloud made by one piece of work. */
export type CallCount = Readonly<Record<Cloud, number>>;

/** One step of the demo: a title, then work that narrates itself. */
export interface DemoStep {
  readonly title: string;
  run(demo: DemoContext): Promise<void>;
}

/**
 * What every step shares: the narrator, the emulated clouds, the keys the first step creates and
 * the working directory. Steps hand files to each other there, as a user's commands would.
 */
export class DemoContext {
  readonly narrator: Narrator;
  readonly clouds: EmulatedClouds;
  readonly workDir: string;
  #keys: CloudKeys | undefined;

  constructor(narrator: Narrator, clouds: EmulatedClouds, workDir: string) {
    this.narrator = narrator;
    this.clouds = clouds;
    this.workDir = workDir;
  }

  get keys(): CloudKeys {
    if (!this.#keys) throw new Error('the demo creates its keys in its first step');
    return this.#keys;
  }

  set keys(keys: CloudKeys) {
    this.#keys = keys;
  }

  /** A file in the working directory. */
  path(name: string): string {
    return join(this.workDir, name);
  }

  /** How a command line names a key: `$AWS`, `$GCP` or `$AZURE`. */
  varOf(uri: string): string {
    const { aws, gcp } = this.keys;
    return uri === aws ? '$AWS' : uri === gcp ? '$GCP' : '$AZURE';
  }

  keyring(uris: readonly string[], purpose: 'encrypt' | 'decrypt'): Promise<Keyring> {
    return keyringFromUris(uris, { ...this.clouds.settings, purpose });
  }

  /** Opens the keyset file `name` with the key `unlock` (one KMS call). Close it when done. */
  async openKeyset(name: string, unlock: string): Promise<Keyset> {
    return openKeyset(await readKeysetFile(this.path(name)), {
      keyring: await this.keyring([unlock], 'decrypt'),
    });
  }

  /** Runs `work` and counts the KMS calls it made in each cloud. */
  async countCalls<T>(work: () => Promise<T>): Promise<{ result: T; calls: CallCount }> {
    const clouds = Object.keys(CLOUD_NAMES) as Cloud[];
    const before = clouds.map((cloud) => this.clouds.calls(cloud));
    const result = await work();
    const calls = Object.fromEntries(
      clouds.map((cloud, i) => [cloud, this.clouds.calls(cloud) - (before[i] ?? 0)]),
    ) as Record<Cloud, number>;
    return { result, calls };
  }
}

/** `3 AWS KMS, 1 Google Cloud KMS`, or `none`; always followed by the total, for scripts. */
export function describeCalls(calls: CallCount): string {
  const clouds = (Object.keys(calls) as Cloud[]).filter((c) => calls[c] > 0);
  const total = clouds.reduce((sum, c) => sum + calls[c], 0);
  if (total === 0) return 'none (0 in total)';
  return `${clouds.map((c) => `${calls[c]} ${CLOUD_NAMES[c]}`).join(', ')} (${total} in total)`;
}

/** A message's recipients by provider, as the header lists them: `aws-kms + gcp-kms`. */
export function providersOf(message: Uint8Array): string {
  return parseHeader(message)
    .encryptedDataKeys.map((edk) => edk.providerId)
    .join(' + ');
}

/** How the CLI would report a failure: its exit code, the error code and why. */
function failureOf(error: unknown): string {
  if (!isPolykmsError(error)) throw error;
  const failures = isPolykmsError(error, 'ERR_NO_DECRYPTABLE_KEY') ? recipientFailuresOf(error) : [];
  const why =
    failures.length > 0
      ? failures.map((f) => `${f.recipient.split(' ')[0]}: ${f.error.code}`).join(', ')
      : error.message;
  return `exit code ${exitCodeFor(error)} — ${error.code} (${why})`;
}

/** Runs `attempt`, which should be refused, and says how. */
export async function refusal(attempt: () => Promise<unknown>): Promise<string> {
  try {
    await attempt();
  } catch (error) {
    return `refused, ${failureOf(error)}`;
  }
  return 'unexpected: it succeeded';
}
