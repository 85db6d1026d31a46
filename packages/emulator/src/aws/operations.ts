import { randomBytes } from 'node:crypto';
import { openBlob, readBlobHeader, sealBlob } from './ciphertext.js';
import { awsErrors } from './errors.js';
import {
  type RequestBody,
  encryptionContext,
  grantTokens,
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalString,
  peekString,
  requiredBlob,
  requiredString,
} from './fields.js';
import { type AwsKeyStore, type KeyRecord, type Scope, nowSeconds } from './store.js';

export interface OperationContext {
  readonly body: RequestBody;
  readonly scope: Scope;
  readonly store: AwsKeyStore;
}

export interface Operation {
  /** The canonical ARN of the key the call targets, for admission and counters ('' for none). Never throws. */
  target(ctx: OperationContext): string;
  run(ctx: OperationContext): object;
  /** Whether a successful call changes key state (so a persisting emulator saves). */
  readonly mutates: boolean;
}

const KEY_ID = { min: 1, max: 2048 };
const PLAINTEXT = { min: 1, max: 4096 };
const CIPHERTEXT = { min: 1, max: 6144 };
const ALGORITHMS = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'] as const;
const ALIAS_NAME = /^[a-zA-Z0-9:/_-]+$/;
const REGION = /^([a-z]+-){2,3}\d+$/;

/** A region field (`ReplicaRegion`, `PrimaryRegion`), checked as KMS's model checks it. */
function requiredRegion(body: Record<string, unknown>, field: string): string {
  const region = requiredString(body, field, { min: 1, max: 32 });
  if (!REGION.test(region)) {
    const member = field[0]!.toLowerCase() + field.slice(1);
    throw awsErrors.validation(
      `1 validation error detected: Value '${region}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([a-z]+-){2,3}\\d+$`,
    );
  }
  return region;
}

/** The key `KeyId` names by id or key ARN: the multi-Region operations take no alias, as in KMS. */
function keyWithoutAlias(ctx: OperationContext): KeyRecord {
  return ctx.store.resolve(ctx.scope, requiredString(ctx.body, 'KeyId', KEY_ID), { allowAlias: false });
}
const b64 = (bytes: Buffer): string => bytes.toString('base64');

function keyTarget(field: string): Operation['target'] {
  return ({ body, scope, store }) => store.canonical(scope, peekString(body, field));
}

/** Keys that cannot be used for cryptography answer as KMS does. */
function assertUsable(key: KeyRecord): void {
  if (key.state === 'Disabled') throw awsErrors.disabled(key.arn);
  assertNotPendingDeletion(key);
}

function isPendingDeletion(key: KeyRecord): boolean {
  return key.state === 'PendingDeletion' || key.state === 'PendingReplicaDeletion';
}

function assertNotPendingDeletion(key: KeyRecord): void {
  if (key.state === 'PendingReplicaDeletion') {
    throw awsErrors.invalidState(`${key.arn} is pending replica deletion.`);
  }
  if (isPendingDeletion(key)) throw awsErrors.invalidState(`${key.arn} is pending deletion.`);
}

function symmetricAlgorithm(body: RequestBody, field: string): void {
  const algorithm = optionalEnum(body, field, ALGORITHMS);
  if (algorithm !== undefined && algorithm !== 'SYMMETRIC_DEFAULT') {
    throw awsErrors.invalidKeyUsage(`${algorithm} is not supported for a symmetric key`);
  }
}

function seal(key: KeyRecord, plaintext: Buffer, context: Record<string, string>): Buffer {
  const backingIndex = key.backingKeys.length - 1;
  return sealBlob(
    key.backingKeys[backingIndex] as Buffer,
    { keyUuid: key.uuid, backingIndex },
    plaintext,
    context,
  );
}

/** Opens a blob for Decrypt/ReEncrypt with KMS's checks, in KMS's order. */
function open(
  ctx: OperationContext,
  blob: Buffer,
  context: Record<string, string>,
  requestedKeyId: string | undefined,
): { key: KeyRecord; plaintext: Buffer } {
  const header = readBlobHeader(blob);
  const requested = requestedKeyId === undefined ? undefined : ctx.store.resolve(ctx.scope, requestedKeyId);
  if (!header) throw awsErrors.invalidCiphertext();
  // A multi-Region key's ciphertext opens with its replica in the caller's region.
  const key = ctx.store.byId(header.keyUuid, ctx.scope.region);
  if (requested && requested.uuid !== header.keyUuid) throw awsErrors.incorrectKey();
  if (!key) throw awsErrors.invisibleCiphertextKey();
  assertUsable(key);
  const backing = key.backingKeys[header.backingIndex];
  const plaintext = backing && openBlob(backing, blob, context);
  if (!plaintext) throw awsErrors.invalidCiphertext();
  return { key, plaintext };
}

function blobTarget(field: string, keyField: string): Operation['target'] {
  return (ctx) => {
    const requested = peekString(ctx.body, keyField);
    if (requested !== undefined) return ctx.store.canonical(ctx.scope, requested);
    const value = ctx.body[field];
    if (typeof value !== 'string' || value.length > 16_384) return '';
    const header = readBlobHeader(Buffer.from(value, 'base64'));
    return (header && ctx.store.byId(header.keyUuid, ctx.scope.region)?.arn) ?? '';
  };
}

function multiRegionConfiguration(store: AwsKeyStore, key: KeyRecord): object {
  const [primary, ...replicas] = store.multiRegionFamily(key);
  const named = (k: KeyRecord | undefined) => ({ Arn: k?.arn, Region: k?.region });
  return {
    MultiRegionKeyType: key.region === key.primaryRegion ? 'PRIMARY' : 'REPLICA',
    PrimaryKey: named(primary),
    ReplicaKeys: replicas.map(named),
  };
}

function keyMetadata(key: KeyRecord, store: AwsKeyStore): object {
  return {
    AWSAccountId: key.account,
    KeyId: key.uuid,
    Arn: key.arn,
    CreationDate: key.creationDate,
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: key.state,
    ...(key.deletionDate === undefined ? {} : { DeletionDate: key.deletionDate }),
    ...(key.pendingWindowInDays === undefined
      ? {}
      : { PendingDeletionWindowInDays: key.pendingWindowInDays }),
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: key.primaryRegion !== undefined,
    ...(key.primaryRegion !== undefined
      ? { MultiRegionConfiguration: multiRegionConfiguration(store, key) }
      : {}),
  };
}

function dataKeyLength(body: RequestBody): number {
  const keySpec = optionalEnum(body, 'KeySpec', ['AES_256', 'AES_128'] as const);
  const numberOfBytes = optionalInteger(body, 'NumberOfBytes', { min: 1, max: 1024 });
  if ((keySpec === undefined) === (numberOfBytes === undefined)) {
    throw awsErrors.validation('Please specify either number of bytes or key spec.');
  }
  return numberOfBytes ?? (keySpec === 'AES_128' ? 16 : 32);
}

function generateDataKey(ctx: OperationContext): { key: KeyRecord; plaintext: Buffer; blob: Buffer } {
  const keyId = requiredString(ctx.body, 'KeyId', KEY_ID);
  const context = encryptionContext(ctx.body, 'EncryptionContext');
  const length = dataKeyLength(ctx.body);
  grantTokens(ctx.body);
  const key = ctx.store.resolve(ctx.scope, keyId);
  assertUsable(key);
  const plaintext = randomBytes(length);
  return { key, plaintext, blob: seal(key, plaintext, context) };
}

/** A key id usable where KMS takes no alias (key management calls). */
function managedKey(ctx: OperationContext): KeyRecord {
  return ctx.store.resolve(ctx.scope, requiredString(ctx.body, 'KeyId', KEY_ID), { allowAlias: false });
}

function stateChange(change: (key: KeyRecord, ctx: OperationContext) => object | undefined): Operation {
  return {
    target: keyTarget('KeyId'),
    mutates: true,
    run: (ctx) => change(managedKey(ctx), ctx) ?? {},
  };
}

function paginate<T>(items: T[], body: RequestBody, idOf: (item: T) => string): { page: T[]; next?: string } {
  const limit = optionalInteger(body, 'Limit', { min: 1, max: 1000 }) ?? 100;
  const marker = optionalString(body, 'Marker', { min: 1, max: 1024 });
  const start = marker === undefined ? 0 : items.findIndex((item) => idOf(item) === marker);
  if (start < 0) throw awsErrors.invalidMarker();
  const page = items.slice(start, start + limit);
  const following = items[start + limit];
  return following === undefined ? { page } : { page, next: idOf(following) };
}

export const operations: Readonly<Record<string, Operation>> = {
  CreateKey: {
    target: () => '',
    mutates: true,
    run: (ctx) => {
      const { body } = ctx;
      const description = optionalString(body, 'Description', { min: 0, max: 8192 }) ?? '';
      optionalString(body, 'Policy', { min: 1, max: 32_768 });
      const usage = optionalEnum(body, 'KeyUsage', [
        'ENCRYPT_DECRYPT',
        'SIGN_VERIFY',
        'GENERATE_VERIFY_MAC',
        'KEY_AGREEMENT',
      ] as const);
      const specs = [
        'SYMMETRIC_DEFAULT',
        'RSA_2048',
        'RSA_3072',
        'RSA_4096',
        'ECC_NIST_P256',
        'ECC_NIST_P384',
        'ECC_NIST_P521',
        'ECC_SECG_P256K1',
        'HMAC_224',
        'HMAC_256',
        'HMAC_384',
        'HMAC_512',
        'SM2',
      ] as const;
      const spec = optionalEnum(body, 'KeySpec', specs) ?? optionalEnum(body, 'CustomerMasterKeySpec', specs);
      const origin = optionalEnum(body, 'Origin', [
        'AWS_KMS',
        'EXTERNAL',
        'AWS_CLOUDHSM',
        'EXTERNAL_KEY_STORE',
      ] as const);
      const multiRegion = optionalBoolean(body, 'MultiRegion') === true;
      optionalBoolean(body, 'BypassPolicyLockoutSafetyCheck');
      if (
        (usage ?? 'ENCRYPT_DECRYPT') !== 'ENCRYPT_DECRYPT' ||
        (spec ?? 'SYMMETRIC_DEFAULT') !== 'SYMMETRIC_DEFAULT'
      ) {
        throw awsErrors.unsupported('The emulator supports only SYMMETRIC_DEFAULT ENCRYPT_DECRYPT keys');
      }
      if ((origin ?? 'AWS_KMS') !== 'AWS_KMS')
        throw awsErrors.unsupported('The emulator supports only Origin AWS_KMS');
      const tags = readTags(body);
      const key = ctx.store.createKey(ctx.scope, { description, tags, multiRegion });
      return { KeyMetadata: keyMetadata(key, ctx.store) };
    },
  },

  DescribeKey: {
    target: keyTarget('KeyId'),
    mutates: false,
    run: (ctx) => {
      grantTokens(ctx.body);
      const key = ctx.store.resolve(ctx.scope, requiredString(ctx.body, 'KeyId', KEY_ID));
      return { KeyMetadata: keyMetadata(key, ctx.store) };
    },
  },

  ReplicateKey: {
    target: keyTarget('KeyId'),
    mutates: true,
    run: (ctx) => {
      const { body } = ctx;
      const primary = keyWithoutAlias(ctx);
      assertNotPendingDeletion(primary);
      const region = requiredRegion(body, 'ReplicaRegion');
      if (region === primary.region) {
        throw awsErrors.invalidArgument(`The replica region ${region} is the region of the primary key.`);
      }
      const description = optionalString(body, 'Description', { min: 0, max: 8192 }) ?? primary.description;
      optionalString(body, 'Policy', { min: 1, max: 32_768 });
      optionalBoolean(body, 'BypassPolicyLockoutSafetyCheck');
      const tags = readTags(body);
      const replica = ctx.store.replicate(primary, region, { description, tags });
      return { ReplicaKeyMetadata: keyMetadata(replica, ctx.store), ReplicaPolicy: '', ReplicaTags: tags };
    },
  },

  UpdatePrimaryRegion: {
    target: keyTarget('KeyId'),
    mutates: true,
    run: (ctx) => {
      const primary = keyWithoutAlias(ctx);
      ctx.store.updatePrimaryRegion(primary, requiredRegion(ctx.body, 'PrimaryRegion'));
      return {};
    },
  },

  ListKeys: {
    target: () => '',
    mutates: false,
    run: (ctx) => {
      const { page, next } = paginate(ctx.store.keysIn(ctx.scope), ctx.body, (k) => k.uuid);
      return {
        Keys: page.map((k) => ({ KeyId: k.uuid, KeyArn: k.arn })),
        Truncated: next !== undefined,
        ...(next === undefined ? {} : { NextMarker: next }),
      };
    },
  },

  CreateAlias: {
    target: keyTarget('TargetKeyId'),
    mutates: true,
    run: (ctx) => {
      const name = requiredString(ctx.body, 'AliasName', { min: 1, max: 256 });
      const targetKeyId = requiredString(ctx.body, 'TargetKeyId', KEY_ID);
      if (!ALIAS_NAME.test(name)) {
        throw awsErrors.validation(
          `Value '${name}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$`,
        );
      }
      if (!name.startsWith('alias/') || name.length === 'alias/'.length) {
        throw awsErrors.validation(`Invalid identifier: alias names must start with "alias/"`);
      }
      if (name.startsWith('alias/aws/')) {
        throw awsErrors.invalidAliasName('Alias names that begin with "alias/aws/" are reserved.');
      }
      if (targetKeyId.startsWith('alias/') || /^arn:[^:]*:kms:[^:]*:[^:]*:alias\//.test(targetKeyId)) {
        throw awsErrors.validation('Aliases must refer to keys. Not aliases');
      }
      const target = ctx.store.resolve(ctx.scope, targetKeyId, { allowAlias: false });
      assertNotPendingDeletion(target);
      ctx.store.createAlias(ctx.scope, name, target);
      return {};
    },
  },

  DeleteAlias: {
    target: () => '',
    mutates: true,
    run: (ctx) => {
      ctx.store.deleteAlias(ctx.scope, requiredString(ctx.body, 'AliasName', { min: 1, max: 256 }));
      return {};
    },
  },

  ListAliases: {
    target: keyTarget('KeyId'),
    mutates: false,
    run: (ctx) => {
      const keyId = optionalString(ctx.body, 'KeyId', KEY_ID);
      const filter =
        keyId === undefined ? undefined : ctx.store.resolve(ctx.scope, keyId, { allowAlias: false });
      const aliases = ctx.store.aliasesIn(ctx.scope).filter((a) => !filter || a.targetUuid === filter.uuid);
      const { page, next } = paginate(aliases, ctx.body, (a) => a.name);
      return {
        Aliases: page.map((a) => ({
          AliasName: a.name,
          AliasArn: a.arn,
          TargetKeyId: a.targetUuid,
          CreationDate: a.creationDate,
          LastUpdatedDate: a.creationDate,
        })),
        Truncated: next !== undefined,
        ...(next === undefined ? {} : { NextMarker: next }),
      };
    },
  },

  Encrypt: {
    target: keyTarget('KeyId'),
    mutates: false,
    run: (ctx) => {
      const keyId = requiredString(ctx.body, 'KeyId', KEY_ID);
      const plaintext = requiredBlob(ctx.body, 'Plaintext', PLAINTEXT);
      const context = encryptionContext(ctx.body, 'EncryptionContext');
      grantTokens(ctx.body);
      symmetricAlgorithm(ctx.body, 'EncryptionAlgorithm');
      const key = ctx.store.resolve(ctx.scope, keyId);
      assertUsable(key);
      const blob = seal(key, plaintext, context);
      plaintext.fill(0);
      return { CiphertextBlob: b64(blob), KeyId: key.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    },
  },

  Decrypt: {
    target: blobTarget('CiphertextBlob', 'KeyId'),
    mutates: false,
    run: (ctx) => {
      const blob = requiredBlob(ctx.body, 'CiphertextBlob', CIPHERTEXT);
      const context = encryptionContext(ctx.body, 'EncryptionContext');
      const keyId = optionalString(ctx.body, 'KeyId', KEY_ID);
      grantTokens(ctx.body);
      symmetricAlgorithm(ctx.body, 'EncryptionAlgorithm');
      const { key, plaintext } = open(ctx, blob, context, keyId);
      const response = {
        KeyId: key.arn,
        Plaintext: b64(plaintext),
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
      plaintext.fill(0);
      return response;
    },
  },

  GenerateDataKey: {
    target: keyTarget('KeyId'),
    mutates: false,
    run: (ctx) => {
      const { key, plaintext, blob } = generateDataKey(ctx);
      const response = { CiphertextBlob: b64(blob), Plaintext: b64(plaintext), KeyId: key.arn };
      plaintext.fill(0);
      return response;
    },
  },

  GenerateDataKeyWithoutPlaintext: {
    target: keyTarget('KeyId'),
    mutates: false,
    run: (ctx) => {
      const { key, plaintext, blob } = generateDataKey(ctx);
      plaintext.fill(0);
      return { CiphertextBlob: b64(blob), KeyId: key.arn };
    },
  },

  ReEncrypt: {
    target: blobTarget('CiphertextBlob', 'SourceKeyId'),
    mutates: false,
    run: (ctx) => {
      const { body } = ctx;
      const blob = requiredBlob(body, 'CiphertextBlob', CIPHERTEXT);
      const destinationKeyId = requiredString(body, 'DestinationKeyId', KEY_ID);
      const sourceContext = encryptionContext(body, 'SourceEncryptionContext');
      const destinationContext = encryptionContext(body, 'DestinationEncryptionContext');
      const sourceKeyId = optionalString(body, 'SourceKeyId', KEY_ID);
      symmetricAlgorithm(body, 'SourceEncryptionAlgorithm');
      symmetricAlgorithm(body, 'DestinationEncryptionAlgorithm');
      grantTokens(body);
      const destination = ctx.store.resolve(ctx.scope, destinationKeyId);
      const { key: source, plaintext } = open(ctx, blob, sourceContext, sourceKeyId);
      try {
        assertUsable(destination);
        return {
          CiphertextBlob: b64(seal(destination, plaintext, destinationContext)),
          SourceKeyId: source.arn,
          KeyId: destination.arn,
          SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
          DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        };
      } finally {
        plaintext.fill(0);
      }
    },
  },

  EnableKey: stateChange((key) => {
    assertNotPendingDeletion(key);
    key.state = 'Enabled';
    return undefined;
  }),

  DisableKey: stateChange((key) => {
    assertNotPendingDeletion(key);
    key.state = 'Disabled';
    return undefined;
  }),

  EnableKeyRotation: stateChange((key, ctx) => {
    const period = optionalInteger(ctx.body, 'RotationPeriodInDays', { min: 90, max: 2560 });
    assertUsable(key);
    key.rotationEnabled = true;
    key.rotationPeriodInDays = period ?? 365;
    return undefined;
  }),

  DisableKeyRotation: stateChange((key) => {
    assertUsable(key);
    key.rotationEnabled = false;
    key.rotationPeriodInDays = undefined;
    return undefined;
  }),

  GetKeyRotationStatus: {
    target: keyTarget('KeyId'),
    mutates: false,
    run: (ctx) => {
      const key = managedKey(ctx);
      assertNotPendingDeletion(key);
      return {
        KeyId: key.arn,
        KeyRotationEnabled: key.rotationEnabled,
        ...(key.rotationPeriodInDays === undefined ? {} : { RotationPeriodInDays: key.rotationPeriodInDays }),
      };
    },
  },

  RotateKeyOnDemand: stateChange((key) => {
    assertUsable(key);
    key.backingKeys.push(randomBytes(32));
    return { KeyId: key.arn };
  }),

  ScheduleKeyDeletion: stateChange((key, ctx) => {
    const days = optionalInteger(ctx.body, 'PendingWindowInDays', { min: 7, max: 30 }) ?? 30;
    assertNotPendingDeletion(key);
    key.pendingWindowInDays = days;
    // A multi-Region primary with replicas waits for them to be deleted; its waiting period, and
    // so its deletion date, start only then (KMS omits DeletionDate meanwhile).
    if (ctx.store.multiRegionFamily(key).length > 1 && key.primaryRegion === key.region) {
      key.state = 'PendingReplicaDeletion';
      return { KeyId: key.arn, KeyState: key.state, PendingWindowInDays: days };
    }
    key.state = 'PendingDeletion';
    key.deletionDate = nowSeconds() + days * 86_400;
    return { KeyId: key.arn, DeletionDate: key.deletionDate, KeyState: key.state, PendingWindowInDays: days };
  }),

  CancelKeyDeletion: stateChange((key) => {
    if (!isPendingDeletion(key)) throw awsErrors.invalidState(`${key.arn} is not pending deletion.`);
    // KMS leaves a key whose deletion was cancelled disabled.
    key.state = 'Disabled';
    key.pendingWindowInDays = undefined;
    key.deletionDate = undefined;
    return { KeyId: key.arn };
  }),
};

function readTags(body: RequestBody): KeyRecord['tags'] {
  const value = body['Tags'];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw awsErrors.serialization("Unexpected value for 'Tags': expected a list");
  return value.map((tag: unknown) => {
    const t = (tag ?? {}) as Record<string, unknown>;
    const key = requiredString(t, 'TagKey', { min: 1, max: 128 });
    const tagValue = requiredString(t, 'TagValue', { min: 0, max: 256 });
    return { TagKey: key, TagValue: tagValue };
  });
}
