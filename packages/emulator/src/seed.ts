import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Cloud } from './control.js';

/** A key to create at start: `aws:NAME` (an alias), `gcp:RING/KEY`, `azure:NAME`. */
export interface KeySeed {
  readonly cloud: Cloud;
  readonly name: string;
}

export interface SeededKey extends KeySeed {
  /** The key URI, as `@polykms/key-uri` and the polykms CLI read it. */
  readonly uri: string;
  /** The exported variable holding `uri`: `POLYKMS_KEY_<CLOUD>_<NAME>`. */
  readonly variable: string;
}

/** A seed file is at most this big: it lists key names, nothing more. */
export const MAX_SEED_FILE_BYTES = 1024 * 1024;

const seedFileSchema = z
  .object({
    aws: z.array(z.string().min(1)).optional(),
    gcp: z.array(z.string().min(1)).optional(),
    azure: z.array(z.string().min(1)).optional(),
  })
  .strict();

/** `aws:orders` → { cloud: 'aws', name: 'orders' }; the name is checked by the cloud when seeded. */
export function parseKeySeed(text: string): KeySeed {
  const colon = text.indexOf(':');
  const cloud = text.slice(0, colon);
  const name = text.slice(colon + 1);
  if (colon < 0 || (cloud !== 'aws' && cloud !== 'gcp' && cloud !== 'azure') || name === '') {
    throw new Error(`"${text}" is not a key to create: use aws:NAME, gcp:RING/KEY or azure:NAME`);
  }
  return { cloud, name };
}

/** The variable name for a seeded key: `gcp:app/orders` → POLYKMS_KEY_GCP_APP_ORDERS. */
export function seededKeyVariable(seed: KeySeed): string {
  return `POLYKMS_KEY_${seed.cloud.toUpperCase()}_${seed.name.toUpperCase().replaceAll(/[^A-Z0-9]+/g, '_')}`;
}

/**
 * Reads a seed file, JSON or YAML (JSON is YAML), of the form
 *
 *   aws: [orders]
 *   gcp: [app/orders]
 *   azure: [orders]
 *
 * and refuses anything else with a message naming the file and the offending field.
 */
export async function loadSeedFile(file: string): Promise<KeySeed[]> {
  const text = await readFile(file, 'utf8');
  if (Buffer.byteLength(text) > MAX_SEED_FILE_BYTES) {
    throw new Error(`seed file ${file} is over ${MAX_SEED_FILE_BYTES} bytes`);
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new Error(`seed file ${file} is neither JSON nor YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = seedFileSchema.safeParse(document ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'top level';
    throw new Error(
      `seed file ${file}: ${where}: ${issue?.message ?? 'invalid'} (expected lists of names under aws, gcp, azure)`,
    );
  }
  const seeds: KeySeed[] = [];
  for (const cloud of ['aws', 'gcp', 'azure'] as const) {
    for (const name of parsed.data[cloud] ?? []) seeds.push({ cloud, name });
  }
  return seeds;
}
