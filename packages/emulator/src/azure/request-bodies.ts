import { z } from 'zod';
import { badParameter } from './errors.js';
import type { KeyType } from './key-material.js';
import type { CreateKeyParameters, UpdateKeyParameters } from './store.js';

const MAX_TAGS = 15;
const MAX_TAG_LENGTH = 512;

const attributesSchema = z.object({
  enabled: z.boolean().optional(),
  nbf: z.number().int().nonnegative().optional(),
  exp: z.number().int().nonnegative().optional(),
});

const tagsSchema = z
  .record(z.string().max(MAX_TAG_LENGTH), z.string().max(MAX_TAG_LENGTH))
  .refine((tags) => Object.keys(tags).length <= MAX_TAGS, `at most ${MAX_TAGS} tags`);

const keyOpsSchema = z.array(z.string().max(32)).max(16);

const createSchema = z.object({
  kty: z.string().max(16),
  key_size: z.number().int().positive().optional(),
  public_exponent: z.number().int().positive().optional(),
  key_ops: keyOpsSchema.optional(),
  attributes: attributesSchema.optional(),
  tags: tagsSchema.optional(),
});

const updateSchema = z.object({
  key_ops: keyOpsSchema.optional(),
  attributes: attributesSchema.optional(),
  tags: tagsSchema.optional(),
});

const operationSchema = z.object({
  alg: z.string().max(32),
  value: z.string(),
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? `'${issue.path.join('.')}'` : 'the request body';
    throw badParameter(`Property ${where} is invalid: ${issue?.message ?? 'bad value'}.`);
  }
  return result.data;
}

const SUPPORTED_TYPES: readonly string[] = ['RSA', 'RSA-HSM', 'oct-HSM'];

export function parseCreateKey(body: unknown): CreateKeyParameters {
  const parsed = parse(createSchema, body);
  if (!SUPPORTED_TYPES.includes(parsed.kty)) {
    throw badParameter(
      `The key type '${parsed.kty}' is not supported by the polykms emulator (supported: ${SUPPORTED_TYPES.join(', ')}).`,
    );
  }
  if (parsed.public_exponent !== undefined && parsed.public_exponent !== 65537) {
    throw badParameter('Only the public exponent 65537 is supported.');
  }
  return {
    kty: parsed.kty as KeyType,
    keySize: parsed.key_size,
    keyOps: parsed.key_ops,
    enabled: parsed.attributes?.enabled,
    notBefore: parsed.attributes?.nbf,
    expires: parsed.attributes?.exp,
    tags: parsed.tags,
  };
}

export function parseUpdateKey(body: unknown): UpdateKeyParameters {
  const parsed = parse(updateSchema, body);
  return {
    keyOps: parsed.key_ops,
    enabled: parsed.attributes?.enabled,
    notBefore: parsed.attributes?.nbf,
    expires: parsed.attributes?.exp,
    tags: parsed.tags,
  };
}

export function parseKeyOperation(body: unknown): { algorithm: string; value: string } {
  const parsed = parse(operationSchema, body);
  return { algorithm: parsed.alg, value: parsed.value };
}
