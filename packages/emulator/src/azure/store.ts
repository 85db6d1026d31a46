import { randomBytes } from 'node:crypto';
import { VaultError, badParameter, keyNotFound } from './errors.js';
import {
  type KeyType,
  OCT_KEY_OPS,
  OCT_KEY_SIZES,
  type PrivateJwk,
  RSA_KEY_OPS,
  RSA_KEY_SIZES,
  generateKeyMaterial,
  isRsa,
} from './key-material.js';

export interface KeyVersion {
  /** 32 lowercase hex characters, as Key Vault issues them. */
  readonly version: string;
  readonly kty: KeyType;
  readonly keySize: number;
  readonly jwk: PrivateJwk;
  keyOps: string[];
  enabled: boolean;
  notBefore: number | undefined;
  expires: number | undefined;
  readonly created: number;
  updated: number;
  tags: Record<string, string>;
}

export interface StoredKey {
  /** The name as it was first created; lookups ignore case, as Key Vault's do. */
  readonly name: string;
  /** Oldest first; the last one is the current version. */
  readonly versions: KeyVersion[];
  /** Set while the key is soft-deleted. */
  deleted?: { readonly deletedDate: number; readonly scheduledPurgeDate: number } | undefined;
}

export interface CreateKeyParameters {
  readonly kty: KeyType;
  readonly keySize?: number | undefined;
  readonly keyOps?: readonly string[] | undefined;
  readonly enabled?: boolean | undefined;
  readonly notBefore?: number | undefined;
  readonly expires?: number | undefined;
  readonly tags?: Readonly<Record<string, string>> | undefined;
}

export interface UpdateKeyParameters {
  readonly keyOps?: readonly string[] | undefined;
  readonly enabled?: boolean | undefined;
  readonly notBefore?: number | undefined;
  readonly expires?: number | undefined;
  readonly tags?: Readonly<Record<string, string>> | undefined;
}

const RECOVERABLE_DAYS = 90;
/** Bounds the memory (and key-generation CPU) a client can make the emulator spend. */
export const MAX_KEY_VERSIONS = 10_000;
const nowSeconds = () => Math.floor(Date.now() / 1000);

function checkKeyOps(kty: KeyType, ops: readonly string[]): string[] {
  const allowed: readonly string[] = isRsa(kty) ? RSA_KEY_OPS : OCT_KEY_OPS;
  for (const op of ops) {
    if (!allowed.includes(op)) throw badParameter(`Key operation '${op}' is not valid for key type ${kty}.`);
  }
  return [...new Set(ops)];
}

/** All keys of one vault, in memory. Case-insensitive names, soft delete, versions. */
export class Vault {
  #keys = new Map<string, StoredKey>();

  /** Creates a key, or a new version of an existing one (Key Vault's create does both). */
  async create(
    name: string,
    parameters: CreateKeyParameters,
  ): Promise<{ key: StoredKey; version: KeyVersion }> {
    const existing = this.#keys.get(name.toLowerCase());
    if (existing?.deleted) {
      throw new VaultError(
        409,
        'Conflict',
        `Key ${existing.name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged.`,
        { innerCode: 'ObjectIsDeletedButRecoverable' },
      );
    }
    if (this.#versionCount() >= MAX_KEY_VERSIONS) {
      throw badParameter(`The emulator holds at most ${MAX_KEY_VERSIONS} key versions; purge some first.`);
    }
    const { kty } = parameters;
    const sizes = isRsa(kty) ? RSA_KEY_SIZES : OCT_KEY_SIZES;
    const keySize = parameters.keySize ?? (isRsa(kty) ? 2048 : 256);
    if (!sizes.includes(keySize)) {
      throw badParameter(
        `The key size ${keySize} is not valid for key type ${kty} (allowed: ${sizes.join(', ')}).`,
      );
    }
    const keyOps = checkKeyOps(kty, parameters.keyOps ?? (isRsa(kty) ? RSA_KEY_OPS : OCT_KEY_OPS));
    const jwk = await generateKeyMaterial(kty, keySize);
    const created = nowSeconds();
    const version: KeyVersion = {
      version: randomBytes(16).toString('hex'),
      kty,
      keySize,
      jwk,
      keyOps,
      enabled: parameters.enabled ?? true,
      notBefore: parameters.notBefore,
      expires: parameters.expires,
      created,
      updated: created,
      tags: { ...parameters.tags },
    };
    // Re-read: another create may have finished while the key was generated.
    const key = this.#keys.get(name.toLowerCase()) ?? { name, versions: [] };
    key.versions.push(version);
    this.#keys.set(name.toLowerCase(), key);
    return { key, version };
  }

  #versionCount(): number {
    let count = 0;
    for (const key of this.#keys.values()) count += key.versions.length;
    return count;
  }

  /** A live (not deleted) key, or 404. */
  key(name: string): StoredKey {
    const key = this.#keys.get(name.toLowerCase());
    if (key === undefined || key.deleted) throw keyNotFound(name);
    return key;
  }

  /** A version of a live key; '' = the current version. */
  version(name: string, version: string): { key: StoredKey; version: KeyVersion } {
    const key = this.key(name);
    const found = version === '' ? key.versions.at(-1) : key.versions.find((v) => v.version === version);
    if (found === undefined) throw keyNotFound(name, version);
    return { key, version: found };
  }

  /** Live keys, in name order. */
  list(): StoredKey[] {
    return [...this.#keys.values()]
      .filter((k) => !k.deleted)
      .sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
  }

  /** A new version with the current version's type, size and operations. */
  async rotate(name: string): Promise<{ key: StoredKey; version: KeyVersion }> {
    const { version: current } = this.version(name, '');
    return this.create(name, {
      kty: current.kty,
      keySize: current.keySize,
      keyOps: current.keyOps,
      tags: current.tags,
    });
  }

  update(
    name: string,
    versionId: string,
    parameters: UpdateKeyParameters,
  ): { key: StoredKey; version: KeyVersion } {
    const found = this.version(name, versionId);
    const { version } = found;
    if (parameters.keyOps !== undefined) version.keyOps = checkKeyOps(version.kty, parameters.keyOps);
    if (parameters.enabled !== undefined) version.enabled = parameters.enabled;
    if (parameters.notBefore !== undefined) version.notBefore = parameters.notBefore;
    if (parameters.expires !== undefined) version.expires = parameters.expires;
    if (parameters.tags !== undefined) version.tags = { ...parameters.tags };
    version.updated = nowSeconds();
    return found;
  }

  /** Soft delete: the key keeps its versions until purged, and can be recovered. */
  delete(name: string): StoredKey {
    const key = this.key(name);
    const deletedDate = nowSeconds();
    key.deleted = { deletedDate, scheduledPurgeDate: deletedDate + RECOVERABLE_DAYS * 86_400 };
    return key;
  }

  deletedKey(name: string): StoredKey {
    const key = this.#keys.get(name.toLowerCase());
    if (key?.deleted === undefined) {
      throw new VaultError(404, 'KeyNotFound', `Deleted Key not found: ${name}`);
    }
    return key;
  }

  purge(name: string): void {
    this.deletedKey(name);
    this.#keys.delete(name.toLowerCase());
  }

  recover(name: string): StoredKey {
    const key = this.deletedKey(name);
    key.deleted = undefined;
    return key;
  }

  snapshot(): StoredKey[] {
    return structuredClone([...this.#keys.values()]);
  }

  restore(keys: readonly StoredKey[]): void {
    this.#keys = new Map(keys.map((k) => [k.name.toLowerCase(), structuredClone(k)]));
  }
}
