import { z } from 'zod';
import type { StoredKey } from './store.js';

/** The persisted form of the vault: private JWKs included, so keep the file private. */
const versionSchema = z.object({
  version: z.string().regex(/^[0-9a-f]{32}$/),
  kty: z.enum(['RSA', 'RSA-HSM', 'oct-HSM']),
  keySize: z.number().int(),
  jwk: z.record(z.string(), z.string()),
  keyOps: z.array(z.string()),
  enabled: z.boolean(),
  notBefore: z.number().optional(),
  expires: z.number().optional(),
  created: z.number(),
  updated: z.number(),
  tags: z.record(z.string(), z.string()),
});

const keySchema = z.object({
  name: z.string().regex(/^[0-9A-Za-z-]{1,127}$/),
  versions: z.array(versionSchema).min(1),
  deleted: z.object({ deletedDate: z.number(), scheduledPurgeDate: z.number() }).optional(),
});

const snapshotSchema = z.object({
  format: z.literal('polykms-emulator-azure/1'),
  keys: z.array(keySchema),
  /** The managed-identity secret, kept so that a CI definition naming IDENTITY_HEADER stays valid. */
  identityHeader: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
  // Files written before the TLS key moved out of the state file carry `tls`: ignored, never reused.
  tls: z.unknown().optional(),
});

export interface VaultSnapshot {
  readonly keys: StoredKey[];
  readonly identityHeader: string | undefined;
}

export function toSnapshot(keys: readonly StoredKey[], identityHeader: string): unknown {
  return { format: 'polykms-emulator-azure/1', keys, identityHeader };
}

export function fromSnapshot(state: unknown): VaultSnapshot {
  const parsed = snapshotSchema.safeParse(state);
  if (!parsed.success) throw new Error(`not an Azure emulator snapshot: ${parsed.error.issues[0]?.message}`);
  const keys = parsed.data.keys.map((key) => ({
    ...key,
    versions: key.versions.map((v) => ({ ...v, notBefore: v.notBefore, expires: v.expires })),
  }));
  return { keys, identityHeader: parsed.data.identityHeader };
}
