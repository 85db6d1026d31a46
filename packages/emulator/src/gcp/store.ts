import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { KEY_UID_LENGTH } from './ciphertext.js';

export type VersionStateName = 'ENABLED' | 'DISABLED' | 'DESTROY_SCHEDULED' | 'DESTROYED';
export type ProtectionLevelName = 'SOFTWARE' | 'HSM';

export interface KeyRingRecord {
  readonly name: string;
  readonly createTime: number;
}

export interface VersionRecord {
  readonly id: number;
  state: VersionStateName;
  readonly createTime: number;
  destroyTime: number | undefined;
  destroyEventTime: number | undefined;
  /** The AES-256 key; wiped once the version is DESTROYED. */
  material: Buffer | undefined;
}

export interface CryptoKeyRecord {
  readonly name: string;
  /** Random id written into every ciphertext, so a foreign ciphertext is recognised as such. */
  readonly uid: Buffer;
  readonly createTime: number;
  readonly protectionLevel: ProtectionLevelName;
  readonly labels: Readonly<Record<string, string>>;
  readonly destroyScheduledSeconds: number;
  primaryId: number | undefined;
  nextVersionId: number;
  readonly versions: Map<number, VersionRecord>;
}

/** Thirty days, the service's default `destroy_scheduled_duration`. */
export const DEFAULT_DESTROY_SCHEDULED_SECONDS = 30 * 24 * 3600;

/** All Cloud KMS state of the emulator: key rings, crypto keys and their versions with key material. */
export class GcpKeyStore {
  readonly keyRings = new Map<string, KeyRingRecord>();
  readonly cryptoKeys = new Map<string, CryptoKeyRecord>();

  addKeyRing(name: string): KeyRingRecord {
    const record = { name, createTime: Date.now() };
    this.keyRings.set(name, record);
    return record;
  }

  addCryptoKey(
    init: Pick<CryptoKeyRecord, 'name' | 'protectionLevel' | 'labels' | 'destroyScheduledSeconds'>,
  ): CryptoKeyRecord {
    const record: CryptoKeyRecord = {
      ...init,
      uid: randomBytes(KEY_UID_LENGTH),
      createTime: Date.now(),
      primaryId: undefined,
      nextVersionId: 1,
      versions: new Map(),
    };
    this.cryptoKeys.set(init.name, record);
    return record;
  }

  addVersion(key: CryptoKeyRecord): VersionRecord {
    const version: VersionRecord = {
      id: key.nextVersionId++,
      state: 'ENABLED',
      createTime: Date.now(),
      destroyTime: undefined,
      destroyEventTime: undefined,
      material: randomBytes(32),
    };
    key.versions.set(version.id, version);
    return version;
  }

  /** Completes a scheduled destruction whose time has come (the real service does it in the background). */
  settle(version: VersionRecord, now = Date.now()): VersionRecord {
    if (
      version.state === 'DESTROY_SCHEDULED' &&
      version.destroyTime !== undefined &&
      version.destroyTime <= now
    ) {
      version.state = 'DESTROYED';
      version.destroyEventTime = now;
      version.material?.fill(0);
      version.material = undefined;
    }
    return version;
  }

  snapshot(): GcpSnapshot {
    return {
      keyRings: [...this.keyRings.values()].map((r) => ({ ...r })),
      cryptoKeys: [...this.cryptoKeys.values()].map((k) => ({
        name: k.name,
        uid: k.uid.toString('base64'),
        createTime: k.createTime,
        protectionLevel: k.protectionLevel,
        labels: { ...k.labels },
        destroyScheduledSeconds: k.destroyScheduledSeconds,
        primaryId: k.primaryId ?? null,
        nextVersionId: k.nextVersionId,
        versions: [...k.versions.values()].map((v) => ({
          id: v.id,
          state: v.state,
          createTime: v.createTime,
          destroyTime: v.destroyTime ?? null,
          destroyEventTime: v.destroyEventTime ?? null,
          material: v.material?.toString('base64') ?? null,
        })),
      })),
    };
  }

  restore(state: unknown): void {
    const snapshot = snapshotSchema.parse(state);
    this.keyRings.clear();
    this.cryptoKeys.clear();
    for (const ring of snapshot.keyRings) this.keyRings.set(ring.name, ring);
    for (const key of snapshot.cryptoKeys) {
      const versions = new Map<number, VersionRecord>();
      for (const v of key.versions) {
        versions.set(v.id, {
          id: v.id,
          state: v.state,
          createTime: v.createTime,
          destroyTime: v.destroyTime ?? undefined,
          destroyEventTime: v.destroyEventTime ?? undefined,
          material: v.material === null ? undefined : Buffer.from(v.material, 'base64'),
        });
      }
      this.cryptoKeys.set(key.name, {
        name: key.name,
        uid: Buffer.from(key.uid, 'base64'),
        createTime: key.createTime,
        protectionLevel: key.protectionLevel,
        labels: key.labels,
        destroyScheduledSeconds: key.destroyScheduledSeconds,
        primaryId: key.primaryId ?? undefined,
        nextVersionId: key.nextVersionId,
        versions,
      });
    }
  }
}

const base64Of = (length: number) =>
  z.string().refine((s) => Buffer.from(s, 'base64').length === length, `must be ${length} bytes of base64`);

const snapshotSchema = z.object({
  keyRings: z.array(z.object({ name: z.string(), createTime: z.number() })),
  cryptoKeys: z.array(
    z.object({
      name: z.string(),
      uid: base64Of(KEY_UID_LENGTH),
      createTime: z.number(),
      protectionLevel: z.enum(['SOFTWARE', 'HSM']),
      labels: z.record(z.string(), z.string()),
      destroyScheduledSeconds: z.number().int().nonnegative(),
      primaryId: z.number().int().positive().nullable(),
      nextVersionId: z.number().int().positive(),
      versions: z.array(
        z.object({
          id: z.number().int().positive(),
          state: z.enum(['ENABLED', 'DISABLED', 'DESTROY_SCHEDULED', 'DESTROYED']),
          createTime: z.number(),
          destroyTime: z.number().nullable(),
          destroyEventTime: z.number().nullable(),
          material: base64Of(32).nullable(),
        }),
      ),
    }),
  ),
});

export type GcpSnapshot = z.input<typeof snapshotSchema>;
