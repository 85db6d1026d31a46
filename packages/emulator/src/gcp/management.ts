import { checkId } from './names.js';
import { type GcpMethod, byName, byParent } from './method.js';
import { Lookup, requireEnabled, versionName } from './lookup.js';
import { childrenOf, page, required, str, type Request } from './request.js';
import { cryptoKeyResource, keyRingResource, versionResource } from './resources.js';
import { alreadyExists, failedPrecondition, invalidArgument, unimplemented } from './errors.js';
import { DEFAULT_DESTROY_SCHEDULED_SECONDS, type GcpKeyStore, type ProtectionLevelName } from './store.js';

function protectionLevelOf(template: unknown): ProtectionLevelName {
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
}

/** Key rings, crypto keys and versions: create, get, list, primary, enable/disable, destroy/restore. */
export function createManagementMethods(store: GcpKeyStore): Record<string, GcpMethod> {
  const lookup = new Lookup(store);
  return {
    CreateKeyRing: {
      permission: 'cloudkms.keyRings.create',
      target: byParent('location'),
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
      handle: (request) => keyRingResource(lookup.keyRing(str(request, 'name'))),
    },
    ListKeyRings: {
      permission: 'cloudkms.keyRings.list',
      target: byParent('location'),
      mutates: false,
      handle: (request) => {
        const all = childrenOf(store.keyRings.values(), str(request, 'parent'), 'keyRings');
        const { items, nextPageToken } = page(all, request);
        return { keyRings: items.map(keyRingResource), nextPageToken, totalSize: all.length };
      },
    },
    CreateCryptoKey: {
      permission: 'cloudkms.cryptoKeys.create',
      target: byParent('keyRing'),
      mutates: true,
      handle: (request) => {
        const parent = str(request, 'parent');
        lookup.keyRing(parent);
        const id = checkId('CryptoKey', required(request, 'cryptoKeyId', 'crypto_key_id'));
        const spec = (request['cryptoKey'] ?? {}) as Record<string, unknown>;
        const purpose = spec['purpose'] ?? 'CRYPTO_KEY_PURPOSE_UNSPECIFIED';
        if (purpose === 'CRYPTO_KEY_PURPOSE_UNSPECIFIED')
          throw invalidArgument('crypto_key.purpose is required.');
        if (purpose !== 'ENCRYPT_DECRYPT') {
          throw invalidArgument(`The emulator supports only ENCRYPT_DECRYPT keys, not ${String(purpose)}.`);
        }
        if (spec['rotationPeriod'] != null || spec['nextRotationTime'] != null) {
          // Refused rather than dropped: a test that sets a schedule must not believe it holds.
          throw unimplemented(
            'The polykms emulator does not serve automatic rotation: crypto_key.rotation_period and next_rotation_time are refused. Rotate with CreateCryptoKeyVersion and UpdateCryptoKeyPrimaryVersion.',
          );
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
        return cryptoKeyResource(store, key);
      },
    },
    GetCryptoKey: {
      permission: 'cloudkms.cryptoKeys.get',
      target: byName('cryptoKey'),
      mutates: false,
      handle: (request) => cryptoKeyResource(store, lookup.cryptoKey(str(request, 'name'))),
    },
    ListCryptoKeys: {
      permission: 'cloudkms.cryptoKeys.list',
      target: byParent('keyRing'),
      mutates: false,
      handle: (request) => {
        const parent = str(request, 'parent');
        lookup.keyRing(parent);
        const all = childrenOf(store.cryptoKeys.values(), parent, 'cryptoKeys');
        const { items, nextPageToken } = page(all, request);
        return {
          cryptoKeys: items.map((k) => cryptoKeyResource(store, k)),
          nextPageToken,
          totalSize: all.length,
        };
      },
    },
    CreateCryptoKeyVersion: {
      permission: 'cloudkms.cryptoKeyVersions.create',
      target: byParent('cryptoKey'),
      mutates: true,
      handle: (request) => {
        const key = lookup.cryptoKey(str(request, 'parent'));
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
        const { key, version } = lookup.versionByName(request);
        return versionResource(key, version);
      },
    },
    ListCryptoKeyVersions: {
      permission: 'cloudkms.cryptoKeyVersions.list',
      target: byParent('cryptoKey'),
      mutates: false,
      handle: (request) => {
        const key = lookup.cryptoKey(str(request, 'parent'));
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
        const key = lookup.cryptoKey(str(request, 'name'));
        const id = required(request, 'cryptoKeyVersionId', 'crypto_key_version_id');
        if (!/^[1-9][0-9]{0,9}$/.test(id)) throw invalidArgument(`crypto_key_version_id [${id}] is invalid.`);
        const version = lookup.version(key, Number(id));
        requireEnabled(key, version);
        key.primaryId = version.id;
        return cryptoKeyResource(store, key);
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
        const { key, version } = lookup.versionByName(spec);
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
        const { key, version } = lookup.versionByName(request);
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
        const { key, version } = lookup.versionByName(request);
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
  };
}
