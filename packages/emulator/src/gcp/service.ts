import { CIPHERTEXT_OVERHEAD, openCiphertext, readCiphertextHeader, sealCiphertext } from './ciphertext.js';
import { type Int64Value, checksumOf, verifyRequestChecksum } from './checksums.js';
import { checkId, parseName, parseNameOf } from './names.js';
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from './status.js';
import {
  type CryptoKeyRecord,
  DEFAULT_DESTROY_SCHEDULED_SECONDS,
  type GcpKeyStore,
  type KeyRingRecord,
  type ProtectionLevelName,
  type VersionRecord,
} from './store.js';

/** Plaintext and AAD limit of SOFTWARE keys; HSM keys allow 8 KiB for both together. */
export const MAX_SOFTWARE_INPUT = 64 * 1024;
export const MAX_HSM_INPUT = 8 * 1024;

// Requests as proto-loader decodes them (camelCase, bytes as Buffer, enums as strings, longs as strings).
type Request = Record<string, unknown>;
type Response = Record<string, unknown>;

/** One RPC: which resource it acts on (for permissions and counters) and what it does. */
export interface GcpMethod {
  /** The IAM permission the real service checks; named in PERMISSION_DENIED messages. */
  readonly permission: string;
  /** Validates the request's resource name and returns [name as sent, CryptoKey/KeyRing/parent to admit]. */
  readonly target: (request: Request) => { resource: string; keyId: string };
  readonly handle: (request: Request) => Response;
  /** Whether a successful call changes state (so the emulator persists). */
  readonly mutates: boolean;
}

const str = (request: Request, field: string): string => {
  const value = request[field];
  return typeof value === 'string' ? value : '';
};
const bytes = (request: Request, field: string): Buffer => {
  const value = request[field];
  return Buffer.isBuffer(value) ? value : Buffer.alloc(0);
};
const int64 = (request: Request, field: string): Int64Value | null => {
  const value = request[field];
  return value && typeof value === 'object' && 'value' in value ? (value as Int64Value) : null;
};
const timestamp = (ms: number | undefined) =>
  ms === undefined ? null : { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };

const required = (request: Request, field: string, protoField: string): string => {
  const value = str(request, field);
  if (value === '') throw invalidArgument(`${protoField} is required.`);
  return value;
};

export function createGcpService(store: GcpKeyStore): Record<string, GcpMethod> {
  const keyRingOf = (name: string): KeyRingRecord => {
    const ring = store.keyRings.get(name);
    if (!ring) throw notFound(`KeyRing ${name} not found.`);
    return ring;
  };
  const cryptoKeyOf = (name: string): CryptoKeyRecord => {
    const key = store.cryptoKeys.get(name);
    if (!key) throw notFound(`CryptoKey ${name} not found.`);
    return key;
  };
  const versionOf = (key: CryptoKeyRecord, id: number): VersionRecord => {
    const version = key.versions.get(id);
    if (!version) throw notFound(`CryptoKeyVersion ${key.name}/cryptoKeyVersions/${id} not found.`);
    return store.settle(version);
  };
  const versionName = (key: CryptoKeyRecord, version: VersionRecord) =>
    `${key.name}/cryptoKeyVersions/${version.id}`;
  const requireEnabled = (key: CryptoKeyRecord, version: VersionRecord) => {
    if (version.state !== 'ENABLED') {
      throw failedPrecondition(
        `${versionName(key, version)} is not enabled, current state is: ${version.state}.`,
      );
    }
  };

  const keyRingResource = (ring: KeyRingRecord) => ({
    name: ring.name,
    createTime: timestamp(ring.createTime),
  });
  const versionResource = (key: CryptoKeyRecord, version: VersionRecord) => ({
    name: versionName(key, version),
    state: version.state,
    protectionLevel: key.protectionLevel,
    algorithm: 'GOOGLE_SYMMETRIC_ENCRYPTION',
    createTime: timestamp(version.createTime),
    generateTime: timestamp(version.createTime),
    destroyTime: timestamp(version.destroyTime),
    destroyEventTime: timestamp(version.destroyEventTime),
  });
  const cryptoKeyResource = (key: CryptoKeyRecord) => {
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

  const page = <T>(items: T[], request: Request) => {
    const pageSize = Number(request['pageSize'] ?? 0);
    if (!Number.isInteger(pageSize) || pageSize < 0) throw invalidArgument('page_size must not be negative.');
    const token = str(request, 'pageToken');
    const start = token === '' ? 0 : Number(token);
    if (!Number.isInteger(start) || start < 0 || start > items.length) {
      throw invalidArgument(`Invalid page_token [${token}].`);
    }
    if (str(request, 'filter') !== '' || str(request, 'orderBy') !== '') {
      throw invalidArgument('The emulator does not support filter or order_by.');
    }
    const size = pageSize === 0 ? 1000 : Math.min(pageSize, 1000);
    const end = Math.min(start + size, items.length);
    return { items: items.slice(start, end), nextPageToken: end < items.length ? String(end) : '' };
  };
  const childrenOf = <T extends { name: string }>(all: Iterable<T>, parent: string, segment: string) =>
    [...all].filter(
      (r) =>
        r.name.startsWith(`${parent}/${segment}/`) &&
        !r.name.slice(parent.length + segment.length + 2).includes('/'),
    );

  const byParent =
    (field = 'parent', kind: 'location' | 'keyRing' | 'cryptoKey' = 'keyRing') =>
    (request: Request) => {
      const parent = parseNameOf(required(request, field, field), kind, field).name;
      return { resource: parent, keyId: parent };
    };
  const byName = (kind: 'keyRing' | 'cryptoKey' | 'cryptoKeyVersion') => (request: Request) => {
    const name = parseNameOf(required(request, 'name', 'name'), kind, 'name');
    return { resource: name.name, keyId: name.kind === 'cryptoKeyVersion' ? name.cryptoKey : name.name };
  };
  const versionByName = (request: Request) => {
    const parsed = parseNameOf(str(request, 'name'), 'cryptoKeyVersion', 'name');
    const key = cryptoKeyOf(parsed.cryptoKey);
    return { key, version: versionOf(key, parsed.versionId) };
  };

  const protectionLevelOf = (template: unknown): ProtectionLevelName => {
    const t = (template ?? {}) as { protectionLevel?: string; algorithm?: string };
    const algorithm = t.algorithm ?? 'CRYPTO_KEY_VERSION_ALGORITHM_UNSPECIFIED';
    if (
      algorithm !== 'GOOGLE_SYMMETRIC_ENCRYPTION' &&
      algorithm !== 'CRYPTO_KEY_VERSION_ALGORITHM_UNSPECIFIED'
    ) {
      throw invalidArgument(
        `The emulator supports only GOOGLE_SYMMETRIC_ENCRYPTION for ENCRYPT_DECRYPT keys, not ${algorithm}.`,
      );
    }
    const level = t.protectionLevel ?? 'PROTECTION_LEVEL_UNSPECIFIED';
    if (level === 'PROTECTION_LEVEL_UNSPECIFIED' || level === 'SOFTWARE') return 'SOFTWARE';
    if (level === 'HSM') return 'HSM';
    throw invalidArgument(`The emulator does not support protection level ${level}.`);
  };

  const checkInputSizes = (key: CryptoKeyRecord, plaintext: number, aad: number) => {
    if (key.protectionLevel === 'HSM' && plaintext + aad > MAX_HSM_INPUT) {
      throw invalidArgument(
        `The combined length of plaintext and additional_authenticated_data must be at most ${MAX_HSM_INPUT} bytes for HSM keys.`,
      );
    }
    if (plaintext > MAX_SOFTWARE_INPUT)
      throw invalidArgument(`The plaintext must be at most ${MAX_SOFTWARE_INPUT} bytes.`);
    if (aad > MAX_SOFTWARE_INPUT) {
      throw invalidArgument(`The additional_authenticated_data must be at most ${MAX_SOFTWARE_INPUT} bytes.`);
    }
  };

  return {
    CreateKeyRing: {
      permission: 'cloudkms.keyRings.create',
      target: byParent('parent', 'location'),
      mutates: true,
      handle: (request) => {
        const parent = str(request, 'parent');
        const id = checkId('KeyRing', required(request, 'keyRingId', 'key_ring_id'));
        const name = `${parent}/keyRings/${id}`;
        if (store.keyRings.has(name)) throw alreadyExists(`KeyRing ${name} already exists.`);
        return keyRingResource(store.addKeyRing(name));
      },
    },
    GetKeyRing: {
      permission: 'cloudkms.keyRings.get',
      target: byName('keyRing'),
      mutates: false,
      handle: (request) => keyRingResource(keyRingOf(str(request, 'name'))),
    },
    ListKeyRings: {
      permission: 'cloudkms.keyRings.list',
      target: byParent('parent', 'location'),
      mutates: false,
      handle: (request) => {
        const all = childrenOf(store.keyRings.values(), str(request, 'parent'), 'keyRings');
        const { items, nextPageToken } = page(all, request);
        return { keyRings: items.map(keyRingResource), nextPageToken, totalSize: all.length };
      },
    },
    CreateCryptoKey: {
      permission: 'cloudkms.cryptoKeys.create',
      target: byParent(),
      mutates: true,
      handle: (request) => {
        const parent = str(request, 'parent');
        keyRingOf(parent);
        const id = checkId('CryptoKey', required(request, 'cryptoKeyId', 'crypto_key_id'));
        const spec = (request['cryptoKey'] ?? {}) as Record<string, unknown>;
        const purpose = spec['purpose'] ?? 'CRYPTO_KEY_PURPOSE_UNSPECIFIED';
        if (purpose === 'CRYPTO_KEY_PURPOSE_UNSPECIFIED')
          throw invalidArgument('crypto_key.purpose is required.');
        if (purpose !== 'ENCRYPT_DECRYPT') {
          throw invalidArgument(`The emulator supports only ENCRYPT_DECRYPT keys, not ${String(purpose)}.`);
        }
        const protectionLevel = protectionLevelOf(spec['versionTemplate']);
        const name = `${parent}/cryptoKeys/${id}`;
        if (store.cryptoKeys.has(name)) throw alreadyExists(`CryptoKey ${name} already exists.`);
        const duration = spec['destroyScheduledDuration'] as { seconds?: string } | null | undefined;
        const key = store.addCryptoKey({
          name,
          protectionLevel,
          labels: (spec['labels'] ?? {}) as Record<string, string>,
          destroyScheduledSeconds: duration?.seconds
            ? Number(duration.seconds)
            : DEFAULT_DESTROY_SCHEDULED_SECONDS,
        });
        if (request['skipInitialVersionCreation'] !== true) key.primaryId = store.addVersion(key).id;
        return cryptoKeyResource(key);
      },
    },
    GetCryptoKey: {
      permission: 'cloudkms.cryptoKeys.get',
      target: byName('cryptoKey'),
      mutates: false,
      handle: (request) => cryptoKeyResource(cryptoKeyOf(str(request, 'name'))),
    },
    ListCryptoKeys: {
      permission: 'cloudkms.cryptoKeys.list',
      target: byParent(),
      mutates: false,
      handle: (request) => {
        const parent = str(request, 'parent');
        keyRingOf(parent);
        const all = childrenOf(store.cryptoKeys.values(), parent, 'cryptoKeys');
        const { items, nextPageToken } = page(all, request);
        return { cryptoKeys: items.map(cryptoKeyResource), nextPageToken, totalSize: all.length };
      },
    },
    CreateCryptoKeyVersion: {
      permission: 'cloudkms.cryptoKeyVersions.create',
      target: byParent('parent', 'cryptoKey'),
      mutates: true,
      handle: (request) => {
        const key = cryptoKeyOf(str(request, 'parent'));
        const spec = (request['cryptoKeyVersion'] ?? {}) as Record<string, unknown>;
        if (spec['state'] !== undefined && spec['state'] !== 'CRYPTO_KEY_VERSION_STATE_UNSPECIFIED') {
          throw invalidArgument('crypto_key_version.state must not be set.');
        }
        return versionResource(key, store.addVersion(key));
      },
    },
    GetCryptoKeyVersion: {
      permission: 'cloudkms.cryptoKeyVersions.get',
      target: byName('cryptoKeyVersion'),
      mutates: false,
      handle: (request) => {
        const { key, version } = versionByName(request);
        return versionResource(key, version);
      },
    },
    ListCryptoKeyVersions: {
      permission: 'cloudkms.cryptoKeyVersions.list',
      target: byParent('parent', 'cryptoKey'),
      mutates: false,
      handle: (request) => {
        const key = cryptoKeyOf(str(request, 'parent'));
        const all = [...key.versions.values()].map((v) => store.settle(v));
        const { items, nextPageToken } = page(all, request);
        return {
          cryptoKeyVersions: items.map((v) => versionResource(key, v)),
          nextPageToken,
          totalSize: all.length,
        };
      },
    },
    UpdateCryptoKeyPrimaryVersion: {
      permission: 'cloudkms.cryptoKeys.update',
      target: byName('cryptoKey'),
      mutates: true,
      handle: (request) => {
        const key = cryptoKeyOf(str(request, 'name'));
        const id = required(request, 'cryptoKeyVersionId', 'crypto_key_version_id');
        if (!/^[1-9][0-9]{0,9}$/.test(id)) throw invalidArgument(`crypto_key_version_id [${id}] is invalid.`);
        const version = versionOf(key, Number(id));
        requireEnabled(key, version);
        key.primaryId = version.id;
        return cryptoKeyResource(key);
      },
    },
    UpdateCryptoKeyVersion: {
      permission: 'cloudkms.cryptoKeyVersions.update',
      target: (request) => {
        const spec = (request['cryptoKeyVersion'] ?? {}) as Request;
        return byName('cryptoKeyVersion')(spec);
      },
      mutates: true,
      handle: (request) => {
        const spec = (request['cryptoKeyVersion'] ?? {}) as Request;
        const mask = (request['updateMask'] as { paths?: string[] } | null)?.paths ?? [];
        if (mask.length === 0) throw invalidArgument('update_mask is required.');
        const unsupported = mask.filter((path) => path !== 'state');
        if (unsupported.length > 0) {
          throw invalidArgument(
            `update_mask contains fields that cannot be updated: ${unsupported.join(', ')}.`,
          );
        }
        const { key, version } = versionByName(spec);
        const wanted = spec['state'];
        if (wanted !== 'ENABLED' && wanted !== 'DISABLED') {
          throw invalidArgument(
            `crypto_key_version.state may only be set to ENABLED or DISABLED, not ${String(wanted)}.`,
          );
        }
        if (version.state !== 'ENABLED' && version.state !== 'DISABLED') {
          throw failedPrecondition(
            `${versionName(key, version)} cannot be updated, current state is: ${version.state}.`,
          );
        }
        version.state = wanted;
        return versionResource(key, version);
      },
    },
    DestroyCryptoKeyVersion: {
      permission: 'cloudkms.cryptoKeyVersions.destroy',
      target: byName('cryptoKeyVersion'),
      mutates: true,
      handle: (request) => {
        const { key, version } = versionByName(request);
        if (version.state !== 'ENABLED' && version.state !== 'DISABLED') {
          throw failedPrecondition(
            `${versionName(key, version)} cannot be destroyed, current state is: ${version.state}.`,
          );
        }
        version.state = 'DESTROY_SCHEDULED';
        version.destroyTime = Date.now() + key.destroyScheduledSeconds * 1000;
        store.settle(version);
        return versionResource(key, version);
      },
    },
    RestoreCryptoKeyVersion: {
      permission: 'cloudkms.cryptoKeyVersions.restore',
      target: byName('cryptoKeyVersion'),
      mutates: true,
      handle: (request) => {
        const { key, version } = versionByName(request);
        if (version.state !== 'DESTROY_SCHEDULED') {
          throw failedPrecondition(
            `${versionName(key, version)} cannot be restored, current state is: ${version.state}.`,
          );
        }
        version.state = 'DISABLED';
        version.destroyTime = undefined;
        return versionResource(key, version);
      },
    },
    Encrypt: {
      permission: 'cloudkms.cryptoKeyVersions.useToEncrypt',
      target: (request) => {
        const name = parseName(required(request, 'name', 'name'));
        if (name.kind === 'cryptoKey') return { resource: name.name, keyId: name.name };
        if (name.kind === 'cryptoKeyVersion') return { resource: name.name, keyId: name.cryptoKey };
        throw invalidArgument(`name [${name.name}] is not a CryptoKey or CryptoKeyVersion name.`);
      },
      mutates: false,
      handle: (request) => {
        const name = parseName(str(request, 'name'));
        const key = cryptoKeyOf(name.kind === 'cryptoKeyVersion' ? name.cryptoKey : name.name);
        const plaintext = bytes(request, 'plaintext');
        const aad = bytes(request, 'additionalAuthenticatedData');
        checkInputSizes(key, plaintext.length, aad.length);
        const verifiedPlaintext = verifyRequestChecksum(
          plaintext,
          int64(request, 'plaintextCrc32c'),
          'plaintext_crc32c',
        );
        const verifiedAad = verifyRequestChecksum(
          aad,
          int64(request, 'additionalAuthenticatedDataCrc32c'),
          'additional_authenticated_data_crc32c',
        );
        let version: VersionRecord;
        if (name.kind === 'cryptoKeyVersion') {
          version = versionOf(key, name.versionId);
        } else {
          if (key.primaryId === undefined) throw failedPrecondition(`${key.name} has no primary version.`);
          version = versionOf(key, key.primaryId);
        }
        requireEnabled(key, version);
        const ciphertext = sealCiphertext(
          version.material as Buffer,
          { keyUid: key.uid, versionId: version.id },
          plaintext,
          aad,
        );
        return {
          name: versionName(key, version),
          ciphertext,
          ciphertextCrc32c: checksumOf(ciphertext),
          verifiedPlaintextCrc32c: verifiedPlaintext,
          verifiedAdditionalAuthenticatedDataCrc32c: verifiedAad,
          protectionLevel: key.protectionLevel,
        };
      },
    },
    Decrypt: {
      permission: 'cloudkms.cryptoKeyVersions.useToDecrypt',
      target: byName('cryptoKey'),
      mutates: false,
      handle: (request) => {
        const key = cryptoKeyOf(str(request, 'name'));
        const ciphertext = bytes(request, 'ciphertext');
        const aad = bytes(request, 'additionalAuthenticatedData');
        if (ciphertext.length === 0) throw invalidArgument('ciphertext is required.');
        if (ciphertext.length > MAX_SOFTWARE_INPUT + CIPHERTEXT_OVERHEAD) {
          throw invalidArgument('Decryption failed: the ciphertext is invalid.');
        }
        if (aad.length > MAX_SOFTWARE_INPUT) {
          throw invalidArgument(
            `The additional_authenticated_data must be at most ${MAX_SOFTWARE_INPUT} bytes.`,
          );
        }
        verifyRequestChecksum(ciphertext, int64(request, 'ciphertextCrc32c'), 'ciphertext_crc32c');
        verifyRequestChecksum(
          aad,
          int64(request, 'additionalAuthenticatedDataCrc32c'),
          'additional_authenticated_data_crc32c',
        );
        const header = readCiphertextHeader(ciphertext);
        if (!header) throw invalidArgument('Decryption failed: the ciphertext is invalid.');
        if (!header.keyUid.equals(key.uid)) {
          throw invalidArgument("Decryption failed: verify that 'name' refers to the correct CryptoKey.");
        }
        const version = key.versions.get(header.versionId);
        if (!version) throw invalidArgument('Decryption failed: the ciphertext is invalid.');
        store.settle(version);
        requireEnabled(key, version);
        const plaintext = openCiphertext(version.material as Buffer, ciphertext, aad);
        if (!plaintext) throw invalidArgument('Decryption failed: the ciphertext is invalid.');
        return {
          plaintext,
          plaintextCrc32c: checksumOf(plaintext),
          usedPrimary: version.id === key.primaryId,
          protectionLevel: key.protectionLevel,
        };
      },
    },
  };
}
