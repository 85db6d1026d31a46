import { versionName } from './lookup.js';
import type { CryptoKeyRecord, GcpKeyStore, KeyRingRecord, VersionRecord } from './store.js';

/** `google.protobuf.Timestamp` from epoch milliseconds (null = unset). */
export const timestamp = (ms: number | undefined) =>
  ms === undefined ? null : { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };

export const keyRingResource = (ring: KeyRingRecord) => ({
  name: ring.name,
  createTime: timestamp(ring.createTime),
});

export const versionResource = (key: CryptoKeyRecord, version: VersionRecord) => ({
  name: versionName(key, version),
  state: version.state,
  protectionLevel: key.protectionLevel,
  algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION',
  createTime: timestamp(version.createTime),
  generateTime: timestamp(version.createTime),
  destroyTime: timestamp(version.destroyTime),
  destroyEventTime: timestamp(version.destroyEventTime),
});

export const cryptoKeyResource = (store: GcpKeyStore, key: CryptoKeyRecord) => {
  const primary = key.primaryId === undefined ? undefined : key.versions.get(key.primaryId);
  return {
    name: key.name,
    primary: primary ? versionResource(key, store.settle(primary)) : null,
    purpose: 'ENCRYPT_DECRYPT',
    createTime: timestamp(key.createTime),
    versionTemplate: { protectionLevel: key.protectionLevel, algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION' },
    labels: key.labels,
    destroyScheduledDuration: { seconds: String(key.destroyScheduledSeconds), nanos: 0 },
  };
};
