import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { InvalidArgumentError, zeroize } from '@polykms/envelope';
import { RawAesKeyring } from './raw-aes-keyring.js';
import { reservedNamespaceReason } from './key-identity.js';
import { RawRsaKeyring } from './raw-rsa-keyring.js';
import { assertOwnerOnlyReadable, readKeyFile } from './read-key-file.js';
import { RSA_PADDINGS, type RsaPadding } from './rsa-padding.js';
import type { Infer, KeyFileSchemas } from './key-file-schema.js';

type SchemaModule = typeof import('./key-file-schema.js');

/**
 * The schemas (and zod) are loaded with the first key file, not with the package: zod costs MiB of
 * memory, and a service that builds its keyring in code never needs it. The async entry points
 * (`loadKeyring`, `generateKeyFile`) load them with `import()`, which a bundler sees and splits
 * off with only the zod/mini functions they use; `parseKeyFile`, synchronous, `require`s the
 * module when it comes first (from the TypeScript sources in tests).
 */
let schemas: KeyFileSchemas | undefined;
let englishMessages: SchemaModule['englishMessages'] | undefined;

function useSchemaModule(module: SchemaModule): KeyFileSchemas {
  englishMessages = module.englishMessages;
  schemas = module.buildKeyFileSchemas(reservedNamespaceReason, RSA_PADDINGS);
  return schemas;
}

async function loadKeyFileSchemas(): Promise<void> {
  if (!schemas) useSchemaModule(await import('./key-file-schema.js'));
}

function keyFileSchemas(): KeyFileSchemas {
  if (schemas) return schemas;
  const file = import.meta.url.endsWith('.ts') ? './key-file-schema.ts' : './key-file-schema.js';
  return useSchemaModule(createRequire(import.meta.url)(file) as SchemaModule);
}

export type AesKeyFile = Infer<KeyFileSchemas['aesKeyFileSchema']>;
export type RsaKeyFile = Infer<KeyFileSchemas['rsaKeyFileSchema']>;
export type KeyFile = Infer<KeyFileSchemas['keyFileSchema']>;

/**
 * Validates key-file JSON. Errors name the field and the rule it breaks, never its value: the
 * values are key material.
 */
export function parseKeyFile(text: string, source = 'key file'): KeyFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text around the error, so neither its message nor the error is kept.
    throw new InvalidArgumentError(`${source} is not valid JSON`);
  }
  const parsed = keyFileSchemas().keyFileSchema.safeParse(json, { error: englishMessages });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const where = issue.path.length ? issue.path.join('.') : '(root)';
      // zod quotes unknown field names, and a key pasted in the wrong place would be one.
      if (issue.code === 'unrecognized_keys') return `${where}: ${issue.keys.length} unknown field(s)`;
      return `${where}: ${issue.message}`;
    });
    throw new InvalidArgumentError(`${source} is not a valid polykms key file: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** The keyring a parsed key file describes. */
export function keyringFromKeyFile(file: KeyFile): RawAesKeyring | RawRsaKeyring {
  if (file.type === 'aes') {
    const wrappingKey = Buffer.from(file.key, 'base64');
    try {
      return new RawAesKeyring({ keyNamespace: file.namespace, keyName: file.name, wrappingKey });
    } finally {
      zeroize(wrappingKey);
    }
  }
  return new RawRsaKeyring({
    keyNamespace: file.namespace,
    keyName: file.name,
    padding: file.padding,
    privateKey: file.privateKey,
    publicKey: file.publicKey,
  });
}

/**
 * Reads, validates and turns a key file into its keyring. The file must be a regular file of at
 * most 64 KiB, owned by this process's user or root, writable by its owner only, and, when it holds
 * an AES key or an RSA private key, readable by its owner only (the mode checks are skipped on
 * Windows); see readKeyFile.
 */
export async function loadKeyring(path: string): Promise<RawAesKeyring | RawRsaKeyring> {
  const { text, mode } = await readKeyFile(path);
  await loadKeyFileSchemas();
  const file = parseKeyFile(text, `key file ${path}`);
  if (file.type === 'aes' || file.privateKey !== undefined) assertOwnerOnlyReadable(path, mode);
  return keyringFromKeyFile(file);
}

export type GenerateKeyFileOptions =
  | {
      readonly type: 'aes';
      readonly namespace: string;
      readonly name: string;
      /** Default 256. */
      readonly bits?: 128 | 192 | 256 | undefined;
    }
  | {
      readonly type: 'rsa';
      readonly namespace: string;
      readonly name: string;
      /** Default 3072. */
      readonly modulusLength?: 2048 | 3072 | 4096 | undefined;
      /** Default `oaep-sha256`. */
      readonly padding?: RsaPadding | undefined;
    };

/** What was written: the identity, never the key. */
export interface GeneratedKeyFile {
  readonly path: string;
  readonly type: 'aes' | 'rsa';
  readonly namespace: string;
  readonly name: string;
}

function newKeyFile(options: GenerateKeyFileOptions): KeyFile {
  const base = { version: 1 as const, namespace: options.namespace, name: options.name };
  if (options.type === 'aes') {
    const bits = options.bits ?? 256;
    if (![128, 192, 256].includes(bits)) throw new InvalidArgumentError('bits must be 128, 192 or 256');
    const key = randomBytes(bits / 8);
    const file: KeyFile = { ...base, type: 'aes', key: key.toString('base64') };
    zeroize(key);
    return file;
  }
  const modulusLength = options.modulusLength ?? 3072;
  if (![2048, 3072, 4096].includes(modulusLength)) {
    throw new InvalidArgumentError('modulusLength must be 2048, 3072 or 4096');
  }
  const pair = generateKeyPairSync('rsa', {
    modulusLength,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    ...base,
    type: 'rsa',
    padding: options.padding ?? 'oaep-sha256',
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
  };
}

/**
 * Creates a new key and writes it as a key file readable by its owner only (mode 0600). Refuses
 * to overwrite an existing file: losing a key loses every message wrapped only under it.
 */
export async function generateKeyFile(
  path: string,
  options: GenerateKeyFileOptions,
): Promise<GeneratedKeyFile> {
  await loadKeyFileSchemas();
  const file = parseKeyFile(JSON.stringify(newKeyFile(options)), 'the new key file');
  try {
    await writeFile(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const exists = (error as NodeJS.ErrnoException).code === 'EEXIST';
    throw new InvalidArgumentError(
      exists ? `${path} already exists; key files are never overwritten` : `cannot write key file ${path}`,
      { cause: error },
    );
  }
  return { path, type: file.type, namespace: file.namespace, name: file.name };
}
