import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { InvalidArgumentError, zeroize } from '@polykms/envelope';
import type { z } from 'zod';
import { RawAesKeyring } from './raw-aes-keyring.js';
import { reservedNamespaceReason } from './key-identity.js';
import { RawRsaKeyring } from './raw-rsa-keyring.js';
import { assertOwnerOnlyReadable, readKeyFile } from './read-key-file.js';
import { RSA_PADDINGS, type RsaPadding } from './rsa-padding.js';

/**
 * zod is loaded when the first key file is parsed, not with the package: it costs several MiB of
 * memory (more than all of @polykms/envelope), and a service that
 * builds its keyring in code never needs it. `require` keeps parseKeyFile synchronous.
 */
type Zod = typeof z;

function loadZod(): Zod {
  return (createRequire(import.meta.url)('zod') as { z: Zod }).z;
}

/**
 * A key file: one local wrapping key and the identity it writes into EDKs, as JSON.
 *
 *   { "version": 1, "type": "aes", "namespace": "…", "name": "…", "key": "<base64, 16/24/32 bytes>" }
 *   { "version": 1, "type": "rsa", "namespace": "…", "name": "…", "padding": "oaep-sha256",
 *     "privateKey": "-----BEGIN PRIVATE KEY-----…", "publicKey": "-----BEGIN PUBLIC KEY-----…" }
 *
 * An RSA file needs at least one of the two PEMs; with only `publicKey` it encrypts only.
 */
function buildSchemas(z: Zod) {
  const identity = {
    version: z.literal(1),
    namespace: z
      .string()
      .min(1)
      .superRefine((s, context) => {
        const reserved = reservedNamespaceReason(s);
        if (reserved) context.addIssue({ code: 'custom', message: reserved });
      }),
    name: z.string().min(1),
  };

  const base64Key = z
    .string()
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64')
    .refine(
      (s) => [16, 24, 32].includes(Buffer.from(s, 'base64').length),
      'must decode to 16, 24 or 32 bytes',
    );

  const pem = (label: string) =>
    z
      .string()
      .refine(
        (s) => /^-----BEGIN [A-Z ]+-----\r?\n/.test(s.trimStart()),
        `must be a PEM block (-----BEGIN ${label}-----)`,
      );

  const aesKeyFileSchema = z.strictObject({ ...identity, type: z.literal('aes'), key: base64Key });

  const rsaKeyFileSchema = z
    .strictObject({
      ...identity,
      type: z.literal('rsa'),
      padding: z.enum(RSA_PADDINGS as [RsaPadding, ...RsaPadding[]]),
      privateKey: pem('PRIVATE KEY').optional(),
      publicKey: pem('PUBLIC KEY').optional(),
    })
    .refine((f) => f.privateKey !== undefined || f.publicKey !== undefined, {
      message: 'an RSA key file needs privateKey, publicKey or both',
    });

  const keyFileSchema = z.discriminatedUnion('type', [aesKeyFileSchema, rsaKeyFileSchema]);
  return { aesKeyFileSchema, rsaKeyFileSchema, keyFileSchema };
}

type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | undefined;

function keyFileSchemas(): Schemas {
  schemas ??= buildSchemas(loadZod());
  return schemas;
}

export type AesKeyFile = z.infer<Schemas['aesKeyFileSchema']>;
export type RsaKeyFile = z.infer<Schemas['rsaKeyFileSchema']>;
export type KeyFile = z.infer<Schemas['keyFileSchema']>;

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
  const parsed = keyFileSchemas().keyFileSchema.safeParse(json);
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
