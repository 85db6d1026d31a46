import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Suites, inspect } from '@polykms/envelope';
import { describe, expect, it } from 'vitest';
import { vectorsDir } from './vectors-location.js';
import { readZip } from './vectors-zip.js';

/**
 * The aws-encryption-sdk-python 1.3.5 vectors (awses-decrypt v1) are all AWS KMS messages: they
 * cannot be decrypted here, so they prove the parser instead. Every message must parse with
 * `inspect`, and what it reports must agree with what the manifest states (the recipients).
 */
const zip = readZip(readFileSync(join(vectorsDir(), 'esdk-python-1.3.5-kms', 'python-1.3.5.zip')));

interface Manifest {
  readonly manifest: { readonly type: string; readonly version: number };
  readonly tests: Record<
    string,
    {
      readonly ciphertext: string;
      readonly plaintext: string;
      readonly 'master-keys': readonly { readonly type: string; readonly key: string }[];
    }
  >;
}

function entry(uri: string): Buffer {
  const data = zip.get(uri.replace(/^file:\/\//, ''));
  if (!data) throw new Error(`${uri} is not in the archive`);
  return data;
}

const manifest = JSON.parse(entry('file://decrypt_message.json').toString('utf8')) as Manifest;
const keys = (
  JSON.parse(entry('file://keys.json').toString('utf8')) as {
    keys: Record<string, { 'key-id'?: string; decrypt?: boolean }>;
  }
).keys;
const tests = Object.entries(manifest.tests);
const parsed = tests.map(([id, test]) => {
  try {
    return { id, test, info: inspect(entry(test.ciphertext)) };
  } catch (error) {
    return { id, test, info: undefined, error };
  }
});
const infos = parsed.flatMap((p) => (p.info === undefined ? [] : [{ ...p, info: p.info }]));

describe('aws-encryption-sdk-python 1.3.5 vectors', () => {
  it('holds 360 awses-decrypt v1 tests', () => {
    expect(manifest.manifest).toEqual({ type: 'awses-decrypt', version: 1 });
    expect(tests.length).toBe(360);
  });

  it('all 360 messages parse with inspect', () => {
    expect(parsed.filter((p) => p.info === undefined).map((p) => p.id)).toEqual([]);
    expect(infos.length).toBe(360);
  });

  it('every message parses, and its EDKs come from the manifest master keys, a decryptable one among them', () => {
    // The manifest names the keys a decryptor is given (sometimes with an encrypt-only key that
    // wrapped nothing), not the EDK list, so each EDK must be one of them.
    for (const { test, info } of infos) {
      const given = test['master-keys'].map((k) => ({ ...k, ...keys[k.key] }));
      expect(info.encryptedDataKeys.length).toBeGreaterThan(0);
      for (const edk of info.encryptedDataKeys) {
        expect(edk.providerId).toBe('aws-kms');
        expect(given.map((k) => k['key-id'])).toContain(edk.providerInfo);
      }
      const decryptable = given.filter((k) => k.decrypt).map((k) => k['key-id']);
      expect(info.encryptedDataKeys.some((edk) => decryptable.includes(edk.providerInfo))).toBe(true);
    }
  });

  it('every message is a v1 message whose body holds at least the plaintext and one tag', () => {
    for (const { test, info } of infos) {
      const plaintext = entry(test.plaintext);
      expect(info.version).toBe(1);
      expect(info.committing).toBe(false);
      expect(info.messageId).toMatch(/^[0-9a-f]{32}$/);
      expect(info.bodyLength).toBeGreaterThanOrEqual(plaintext.length + 16);
    }
  });

  it('signed suites carry their verification key in the context and unsigned ones do not', () => {
    for (const { info } of infos) {
      expect('aws-crypto-public-key' in info.encryptionContext).toBe(info.signed);
    }
  });

  it('covers the nine v1 suites, framed and non-framed (72 non-framed)', () => {
    const v1Suites = Object.values(Suites)
      .filter((s) => s.messageFormat === 1)
      .map((s) => s.id);
    expect(new Set(infos.map(({ info }) => info.suiteId))).toEqual(new Set(v1Suites));
    const nonFramed = infos.filter(({ info }) => info.contentType === 'non-framed');
    expect(nonFramed.length).toBe(72);
    for (const { info } of nonFramed) expect(info.frameLength).toBe(0);
  });
});
