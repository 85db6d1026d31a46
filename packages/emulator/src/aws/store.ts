import { randomBytes, randomUUID } from 'node:crypto';
import { awsErrors } from './errors.js';

/** Where a request lands: the region and account of its SigV4 credential scope. */
export interface Scope {
  readonly region: string;
  readonly account: string;
}

/** `PendingReplicaDeletion`: a multi-Region primary scheduled for deletion while it has replicas. */
export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingReplicaDeletion';

export interface KeyRecord {
  readonly uuid: string;
  readonly region: string;
  readonly account: string;
  readonly arn: string;
  readonly description: string;
  /** Epoch seconds. */
  readonly creationDate: number;
  readonly tags: readonly { TagKey: string; TagValue: string }[];
  state: KeyState;
  deletionDate: number | undefined;
  pendingWindowInDays: number | undefined;
  rotationEnabled: boolean;
  rotationPeriodInDays: number | undefined;
  /**
   * AES-256 keys, oldest first; the last one encrypts, every one decrypts. The replicas of a
   * multi-Region key share this very array with their primary: the same key material, rotated once.
   */
  readonly backingKeys: Buffer[];
  /**
   * For a multi-Region key (id `mrk-…`), the region of its primary; undefined for single-Region
   * keys. Changed in every key of the family by UpdatePrimaryRegion.
   */
  primaryRegion?: string | undefined;
}

export interface AliasRecord {
  readonly name: string;
  readonly arn: string;
  readonly region: string;
  readonly account: string;
  readonly targetUuid: string;
  readonly creationDate: number;
}

/** A key id: a UUID, or `mrk-` and 32 hex digits for a multi-Region key (both 36 characters). */
export const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):(key|alias)\/(.+)$/;

export function keyArn(scope: Scope, uuid: string): string {
  return `arn:aws:kms:${scope.region}:${scope.account}:key/${uuid}`;
}

export function aliasArn(scope: Scope, name: string): string {
  return `arn:aws:kms:${scope.region}:${scope.account}:${name}`;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Where a key is kept: ids are unique per region (a multi-Region key has one id in many regions). */
const slot = (region: string, id: string) => `${region}/${id}`;

/** The keys and aliases of every region and account the emulator has seen. */
export class AwsKeyStore {
  readonly #keys = new Map<string, KeyRecord>();
  readonly #aliases = new Map<string, AliasRecord>();

  createKey(
    scope: Scope,
    input: { description: string; tags: KeyRecord['tags']; multiRegion?: boolean },
  ): KeyRecord {
    const multiRegion = input.multiRegion === true;
    const uuid = multiRegion ? `mrk-${randomBytes(16).toString('hex')}` : randomUUID();
    return this.#add(scope, uuid, input, [randomBytes(32)], multiRegion ? scope.region : undefined);
  }

  /**
   * A replica of the multi-Region primary `primary` in `region`: same id, same account, the same
   * backing keys (shared, so ciphertexts of either decrypt with the other).
   */
  replicate(
    primary: KeyRecord,
    region: string,
    input: { description: string; tags: KeyRecord['tags'] },
  ): KeyRecord {
    if (primary.primaryRegion === undefined) {
      throw awsErrors.unsupported(
        `${primary.arn} is not a multi-Region key: only multi-Region keys can be replicated.`,
      );
    }
    if (primary.primaryRegion !== primary.region) {
      throw awsErrors.unsupported(
        `${primary.arn} is a replica key: replicate its primary key in ${primary.primaryRegion}.`,
      );
    }
    const scope = { region, account: primary.account };
    if (this.#keys.has(slot(region, primary.uuid))) {
      throw awsErrors.alreadyExists(`Replica key ${keyArn(scope, primary.uuid)} already exists.`);
    }
    return this.#add(scope, primary.uuid, input, primary.backingKeys, primary.primaryRegion);
  }

  #add(
    scope: Scope,
    uuid: string,
    input: { description: string; tags: KeyRecord['tags'] },
    backingKeys: Buffer[],
    primaryRegion: string | undefined,
  ): KeyRecord {
    const record: KeyRecord = {
      uuid,
      region: scope.region,
      account: scope.account,
      arn: keyArn(scope, uuid),
      description: input.description,
      creationDate: nowSeconds(),
      tags: input.tags,
      state: 'Enabled',
      deletionDate: undefined,
      pendingWindowInDays: undefined,
      rotationEnabled: false,
      rotationPeriodInDays: undefined,
      backingKeys,
      primaryRegion,
    };
    this.#keys.set(slot(scope.region, uuid), record);
    return record;
  }

  /**
   * Makes the replica in `region` the primary of `primary`'s multi-Region key, and the primary a
   * replica (UpdatePrimaryRegion). The transient `Updating` state of real KMS is not emulated.
   */
  updatePrimaryRegion(primary: KeyRecord, region: string): void {
    if (primary.primaryRegion === undefined) {
      throw awsErrors.unsupported(`${primary.arn} is not a multi-Region key.`);
    }
    if (primary.primaryRegion !== primary.region) {
      throw awsErrors.unsupported(
        `${primary.arn} is a replica key: call UpdatePrimaryRegion on its primary key in ${primary.primaryRegion}.`,
      );
    }
    const family = this.multiRegionFamily(primary);
    const next = family.find((k) => k.region === region);
    if (!next || next === primary) {
      throw awsErrors.notFound(`There is no replica of ${primary.arn} in ${region}.`);
    }
    for (const key of [primary, next]) {
      if (key.state !== 'Enabled') throw awsErrors.invalidState(`${key.arn} is ${key.state}.`);
    }
    for (const key of family) key.primaryRegion = region;
  }

  /** The primary and replicas of a multi-Region key, primary first. */
  multiRegionFamily(key: KeyRecord): KeyRecord[] {
    if (key.primaryRegion === undefined) return [key];
    return [...this.#keys.values()]
      .filter((k) => k.uuid === key.uuid && k.account === key.account)
      .sort((a, b) => Number(b.region === key.primaryRegion) - Number(a.region === key.primaryRegion));
  }

  /** The key a blob names in `region` (a multi-Region key's replica there, for an `mrk-` id). */
  byId(id: string, region: string): KeyRecord | undefined {
    return this.#keys.get(slot(region, id));
  }

  /**
   * Resolves a KeyId as KMS does: key id, key ARN, alias name (`alias/…`) or alias ARN. Ids and
   * alias names are looked up in the caller's region and account; ARNs name their own account
   * (cross-account use is allowed here, as a permissive key policy would) but must be in the
   * caller's region.
   */
  resolve(scope: Scope, keyId: string, options: { allowAlias: boolean } = { allowAlias: true }): KeyRecord {
    const arn = ARN.exec(keyId);
    if (arn) {
      const [, , region, account, type, resource] = arn as unknown as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      if (type === 'key') {
        const key = this.#keys.get(slot(region, resource));
        if (!key || key.region !== region || key.account !== account || region !== scope.region) {
          throw awsErrors.keyNotFound(keyId);
        }
        return key;
      }
      if (!options.allowAlias) throw awsErrors.keyNotFound(keyId);
      return this.#aliasTarget(keyId, region === scope.region ? keyId : undefined);
    }
    if (keyId.startsWith('alias/')) {
      if (!options.allowAlias) throw awsErrors.keyNotFound(keyArn(scope, keyId));
      const arnOfAlias = aliasArn(scope, keyId);
      return this.#aliasTarget(arnOfAlias, arnOfAlias);
    }
    if (KEY_ID.test(keyId)) {
      const key = this.#keys.get(slot(scope.region, keyId));
      if (!key || key.region !== scope.region || key.account !== scope.account) {
        throw awsErrors.keyNotFound(keyArn(scope, keyId));
      }
      return key;
    }
    throw awsErrors.notFound(`Invalid keyId '${keyId}'`);
  }

  #aliasTarget(shownArn: string, lookupArn: string | undefined): KeyRecord {
    const alias = lookupArn === undefined ? undefined : this.#aliases.get(lookupArn);
    const key = alias && this.#keys.get(slot(alias.region, alias.targetUuid));
    if (!key) throw awsErrors.notFound(`Alias ${shownArn} is not found.`);
    return key;
  }

  /** The canonical key ARN a KeyId names, or the KeyId itself when it names nothing; never throws. */
  canonical(scope: Scope, keyId: string | undefined): string {
    if (keyId === undefined) return '';
    try {
      return this.resolve(scope, keyId).arn;
    } catch {
      return keyId;
    }
  }

  keysIn(scope: Scope): KeyRecord[] {
    return [...this.#keys.values()].filter((k) => k.region === scope.region && k.account === scope.account);
  }

  aliasesIn(scope: Scope): AliasRecord[] {
    return [...this.#aliases.values()].filter(
      (a) => a.region === scope.region && a.account === scope.account,
    );
  }

  createAlias(scope: Scope, name: string, target: KeyRecord): void {
    const arn = aliasArn(scope, name);
    if (this.#aliases.has(arn)) throw awsErrors.alreadyExists(`An alias with the name ${arn} already exists`);
    this.#aliases.set(arn, {
      name,
      arn,
      region: scope.region,
      account: scope.account,
      targetUuid: target.uuid,
      creationDate: nowSeconds(),
    });
  }

  deleteAlias(scope: Scope, name: string): void {
    const arn = aliasArn(scope, name);
    if (!this.#aliases.delete(arn)) throw awsErrors.notFound(`Alias ${arn} is not found.`);
  }

  snapshot(): AwsStoreSnapshot {
    return {
      version: 1,
      keys: [...this.#keys.values()].map((k) => ({
        ...k,
        backingKeys: k.backingKeys.map((b) => b.toString('base64')),
      })),
      aliases: [...this.#aliases.values()],
    };
  }

  restore(state: unknown): void {
    const snapshot = state as AwsStoreSnapshot | undefined;
    if (snapshot?.version !== 1 || !Array.isArray(snapshot.keys) || !Array.isArray(snapshot.aliases)) {
      throw new Error('AWS front end: not a snapshot of this emulator');
    }
    this.#keys.clear();
    this.#aliases.clear();
    // Primaries first, so that each replica takes its primary's backing-key array.
    const ordered = [...snapshot.keys].sort(
      (a, b) => Number(b.primaryRegion === b.region) - Number(a.primaryRegion === a.region),
    );
    const shared = new Map<string, Buffer[]>();
    for (const k of ordered) {
      if (!KEY_ID.test(k.uuid)) throw new Error(`AWS front end: snapshot key ${k.uuid} has a malformed id`);
      const own = k.backingKeys.map((b) => Buffer.from(b, 'base64'));
      if (own.length === 0 || own.some((b) => b.length !== 32)) {
        throw new Error(`AWS front end: snapshot key ${k.uuid} has a malformed backing key`);
      }
      const family = `${k.account}/${k.uuid}`;
      const backingKeys = k.primaryRegion === undefined ? own : (shared.get(family) ?? own);
      if (k.primaryRegion !== undefined) shared.set(family, backingKeys);
      this.#keys.set(slot(k.region, k.uuid), { ...k, tags: k.tags ?? [], backingKeys });
    }
    for (const a of snapshot.aliases) this.#aliases.set(a.arn, { ...a });
  }
}

export interface AwsStoreSnapshot {
  readonly version: 1;
  readonly keys: (Omit<KeyRecord, 'backingKeys'> & { backingKeys: string[] })[];
  readonly aliases: AliasRecord[];
}
