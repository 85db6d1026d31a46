/**
 * The key-file schemas, written with zod/mini: its checks are separate functions, so a bundler
 * keeps only those used here (~40 KiB; zod's classic API cannot be trimmed and costs ~10 MiB of
 * a process's memory, most of the `polykms` CLI's start-up). key-file.ts loads this module lazily
 * (see there). It imports nothing but zod at run time (what it needs of this package comes in as
 * arguments), so that `require` loads it from the TypeScript sources too (tests).
 */
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import type { RsaPadding } from './rsa-padding.js';

/**
 * A key file: one local wrapping key and the identity it writes into EDKs, as JSON.
 *
 *   { "version": 1, "type": "aes", "namespace": "…", "name": "…", "key": "<base64, 16/24/32 bytes>" }
 *   { "version": 1, "type": "rsa", "namespace": "…", "name": "…", "padding": "oaep-sha256",
 *     "privateKey": "-----BEGIN PRIVATE KEY-----…", "publicKey": "-----BEGIN PUBLIC KEY-----…" }
 *
 * An RSA file needs at least one of the two PEMs; with only `publicKey` it encrypts only.
 */
export function buildKeyFileSchemas(
  reservedNamespaceReason: (namespace: string) => string | undefined,
  paddings: readonly RsaPadding[],
) {
  const identity = {
    version: z.literal(1),
    namespace: z.string().check(
      z.minLength(1),
      z.superRefine((s, context) => {
        const reserved = reservedNamespaceReason(s);
        if (reserved) context.addIssue({ code: 'custom', message: reserved, input: s });
      }),
    ),
    name: z.string().check(z.minLength(1)),
  };

  const base64Key = z.string().check(
    z.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
    z.refine(
      (s) => [16, 24, 32].includes(Buffer.from(s, 'base64').length),
      'must decode to 16, 24 or 32 bytes',
    ),
  );

  const pem = (label: string) =>
    z
      .string()
      .check(
        z.refine(
          (s) => /^-----BEGIN [A-Z ]+-----\r?\n/.test(s.trimStart()),
          `must be a PEM block (-----BEGIN ${label}-----)`,
        ),
      );

  const aesKeyFileSchema = z.strictObject({ ...identity, type: z.literal('aes'), key: base64Key });

  const rsaKeyFileSchema = z
    .strictObject({
      ...identity,
      type: z.literal('rsa'),
      padding: z.enum(paddings as [RsaPadding, ...RsaPadding[]]),
      privateKey: z.optional(pem('PRIVATE KEY')),
      publicKey: z.optional(pem('PUBLIC KEY')),
    })
    .check(
      z.refine((f) => f.privateKey !== undefined || f.publicKey !== undefined, {
        message: 'an RSA key file needs privateKey, publicKey or both',
      }),
    );

  const keyFileSchema = z.discriminatedUnion('type', [aesKeyFileSchema, rsaKeyFileSchema]);
  return { aesKeyFileSchema, rsaKeyFileSchema, keyFileSchema };
}

export type KeyFileSchemas = ReturnType<typeof buildKeyFileSchemas>;
export type Infer<T extends z.ZodMiniType> = z.infer<T>;

/**
 * zod/mini carries no messages of its own: the English ones (zod's default), given per parse
 * rather than by `z.config`, which would change them for the application's own zod too.
 */
export const englishMessages = en().localeError;
