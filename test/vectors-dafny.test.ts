import { constants, privateDecrypt, publicEncrypt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Keyring, MultiKeyring, PolykmsError, decrypt, inspect } from '@polykms/envelope';
import { RawAesKeyring, RawRsaKeyring, type RsaPadding } from '@polykms/local';
import { type EcdhKeyDescription, ecdhKeyringFor } from './support/ecdh-vector-keys.js';
import { afterAll, describe, expect, it } from 'vitest';
import { vectorsDir } from './vectors-location.js';

/**
 * The ESDK-Dafny 4.1.0 decrypt vectors (awses-decrypt v5): every one our keyrings can serve must
 * decrypt to its plaintext, every one expected to fail must fail, and the others are skipped with
 * their reason and counted.
 */
const root = join(vectorsDir(), 'esdk-dafny-4.1.0');

interface KeyDescription {
  readonly type: string;
  readonly key?: string;
  readonly 'provider-id'?: string;
  readonly 'encryption-algorithm'?: string;
  readonly 'padding-algorithm'?: string;
  readonly 'padding-hash'?: string;
  readonly generator?: KeyDescription;
  readonly childKeyrings?: readonly KeyDescription[];
  readonly underlying?: KeyDescription;
  readonly requiredEncryptionContextKeys?: readonly string[];
  readonly schema?: string;
}

interface Scenario {
  readonly type: string;
  readonly ciphertext: string;
  readonly result: string | { readonly error: unknown };
  readonly algorithmSuiteId: string;
  readonly description: string;
  readonly decryptKeyDescription: KeyDescription;
  readonly 'reproduced-encryption-context'?: Record<string, string>;
}

interface KeyMaterial {
  readonly type: string;
  readonly 'key-id': string;
  readonly material?: string;
}

const manifest = JSON.parse(readFileSync(join(root, 'decrypt-manifest.json'), 'utf8')) as {
  tests: Record<string, { 'decryption-scenario': Scenario }>;
};
const keys = (
  JSON.parse(readFileSync(join(root, 'keys.json'), 'utf8')) as { keys: Record<string, KeyMaterial> }
).keys;

function fileUri(uri: string): string {
  if (!uri.startsWith('file://')) throw new Error(`unexpected URI ${uri}`);
  return join(root, uri.slice('file://'.length));
}

function rsaPadding(description: KeyDescription): RsaPadding {
  if (description['padding-algorithm'] === 'pkcs1') return 'pkcs1';
  return `oaep-${description['padding-hash']}` as RsaPadding;
}

/** Whether this Node decrypts RSA PKCS#1 v1.5 (refused since CVE-2023-46809 unless reverted). */
function pkcs1DecryptWorks(): boolean {
  const pem = keys['rsa-4096-private']!.material!;
  try {
    const sealed = publicEncrypt({ key: pem, padding: constants.RSA_PKCS1_PADDING }, Buffer.from([1]));
    return privateDecrypt({ key: pem, padding: constants.RSA_PKCS1_PADDING }, sealed).equals(
      Buffer.from([1]),
    );
  } catch {
    return false;
  }
}
const pkcs1Available = pkcs1DecryptWorks();

type Plan =
  | { readonly category: string; readonly keyring: Keyring }
  | { readonly category: string; readonly skip: string };

const SKIP_KMS = 'needs a real AWS KMS';
const SKIP_PKCS1 =
  'RSA PKCS#1 v1.5 decryption is refused by this Node (CVE-2023-46809, no --security-revert)';

/** A keyring for a key description, or why there is none. */
function keyringFor(description: KeyDescription): Keyring | { skip: string } {
  switch (description.type) {
    case 'raw': {
      const key = keys[description.key!]!;
      const identity = { keyNamespace: description['provider-id']!, keyName: key['key-id'] };
      if (description['encryption-algorithm'] === 'aes') {
        return new RawAesKeyring({ ...identity, wrappingKey: Buffer.from(key.material!, 'base64') });
      }
      if (description['encryption-algorithm'] === 'rsa') {
        const padding = rsaPadding(description);
        if (padding === 'pkcs1' && !pkcs1Available) return { skip: SKIP_PKCS1 };
        return new RawRsaKeyring({ ...identity, padding, privateKey: key.material! });
      }
      throw new Error(`unknown raw encryption algorithm ${description['encryption-algorithm']}`);
    }
    case 'raw-ecdh':
      return ecdhKeyringFor(description as EcdhKeyDescription, keys);
    case 'multi-keyring': {
      const members = [description.generator, ...(description.childKeyrings ?? [])]
        .filter((d) => d !== undefined)
        .map(keyringFor);
      const skipped = members.find((m): m is { skip: string } => 'skip' in m);
      if (skipped) return skipped;
      const [generator, ...children] = members as Keyring[];
      return description.generator
        ? new MultiKeyring({ generator, children })
        : new MultiKeyring({ children: members as Keyring[] });
    }
    case 'required-encryption-context-cmm':
      return keyringFor(description.underlying!);
    default:
      if (description.type.startsWith('aws-kms')) return { skip: SKIP_KMS };
      throw new Error(`unknown key description type ${description.type}`);
  }
}

function categoryOf(description: KeyDescription): string {
  switch (description.type) {
    case 'raw':
      if (description['encryption-algorithm'] === 'rsa') {
        return description['padding-algorithm'] === 'pkcs1' ? 'raw RSA PKCS#1' : 'raw RSA OAEP';
      }
      return 'raw AES';
    case 'raw-ecdh':
      return `raw ECDH ${description.schema}`;
    case 'multi-keyring':
      return 'multi-keyring';
    case 'required-encryption-context-cmm':
      return 'required-encryption-context CMM';
    default:
      return description.type.startsWith('aws-kms') ? 'AWS KMS' : description.type;
  }
}

function plan(scenario: Scenario): Plan {
  const category = categoryOf(scenario.decryptKeyDescription);
  const keyring = keyringFor(scenario.decryptKeyDescription);
  return 'skip' in keyring ? { category, skip: keyring.skip } : { category, keyring };
}

const tally = new Map<string, { passed: number; skipped: Map<string, number> }>();
function count(category: string, skipReason?: string): void {
  const entry = tally.get(category) ?? { passed: 0, skipped: new Map<string, number>() };
  if (skipReason === undefined) entry.passed++;
  else entry.skipped.set(skipReason, (entry.skipped.get(skipReason) ?? 0) + 1);
  tally.set(category, entry);
}

const tests = Object.entries(manifest.tests);

describe('ESDK-Dafny 4.1.0 decrypt vectors', () => {
  const plans = tests.map(([id, { 'decryption-scenario': scenario }]) => ({
    id,
    scenario,
    p: plan(scenario),
  }));

  it('the manifest holds the 487 published tests', () => {
    expect(tests.length).toBe(487);
  });

  it('plans 286 decryptable vectors, 99 of them raw ECDH, and skips only AWS KMS (201) and refused PKCS#1', () => {
    const reasons = new Map<string, number>();
    for (const { p } of plans) {
      const reason = 'skip' in p ? p.skip : 'decrypt';
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    const pkcs1Skipped = reasons.get(SKIP_PKCS1) ?? 0;
    expect(pkcs1Skipped).toBe(pkcs1Available ? 0 : 11);
    expect(plans.filter(({ p }) => p.category.startsWith('raw ECDH') && !('skip' in p))).toHaveLength(99);
    expect(Object.fromEntries(reasons)).toEqual({
      decrypt: 286 - pkcs1Skipped,
      [SKIP_KMS]: 201,
      ...(pkcs1Skipped ? { [SKIP_PKCS1]: pkcs1Skipped } : {}),
    });
  });

  for (const { id, scenario, p } of plans) {
    const title = `${scenario.description} [${id}] (suite 0x${scenario.algorithmSuiteId})`;
    if ('skip' in p) {
      count(p.category, p.skip);
      it.skip(`${title}: skipped, ${p.skip}`, () => {});
      continue;
    }
    const expectsError = typeof scenario.result !== 'string';
    it(`${expectsError ? 'rejects' : 'decrypts'} ${title} with a ${p.category} keyring`, async () => {
      const message = readFileSync(fileUri(scenario.ciphertext));
      const options = {
        keyring: p.keyring,
        encryptionContext: scenario['reproduced-encryption-context'] ?? {},
        commitmentPolicy: 'require-encrypt-allow-decrypt',
      } as const;
      if (expectsError) {
        await expect(decrypt(message, options)).rejects.toBeInstanceOf(PolykmsError);
      } else {
        const expected = readFileSync(fileUri(scenario.result as string));
        const result = await decrypt(message, options);
        expect(result.header.suite.id).toBe(Number.parseInt(scenario.algorithmSuiteId, 16));
        expect(Buffer.from(result.plaintext).equals(expected)).toBe(true);
        expect(inspect(message).suiteId).toBe(result.header.suite.id);
      }
      count(p.category);
    });
  }

  afterAll(() => {
    const lines = [...tally].map(([category, { passed, skipped }]) => {
      const reasons = [...skipped].map(([reason, n]) => `${n} skipped (${reason})`);
      return `  ${category}: ${[`${passed} passed`, ...reasons].join(', ')}`;
    });
    console.log(`ESDK-Dafny 4.1.0 vectors by keyring:\n${lines.join('\n')}`);
  });
});
