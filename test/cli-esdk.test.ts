import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AlgorithmSuiteIdentifier,
  CommitmentPolicy,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
  buildClient,
} from '@aws-crypto/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCli, workDir } from './cli-harness.js';

// The CLI and the AWS Encryption SDK for JavaScript read each other's files, given the same key:
// a polykms key file on one side, a RawAesKeyringNode with the same namespace, name and key on the other.
let dir: string;
let cleanup: () => Promise<void>;
const key = randomBytes(32);
const identity = { keyNamespace: 'polykms-interop', keyName: 'shared' };
const esdkKeyring = () =>
  new RawAesKeyringNode({
    ...identity,
    unencryptedMasterKey: Uint8Array.from(key),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
const plaintext = Buffer.from('written by one implementation, read by the other\n'.repeat(500));
const cli = (args: string[]) => runCli(args, { cwd: dir });

beforeAll(async () => {
  await ensureCliBuilt();
  ({ dir, cleanup } = await workDir());
  const keyFile = {
    version: 1,
    type: 'aes',
    namespace: identity.keyNamespace,
    name: identity.keyName,
    key: key.toString('base64'),
  };
  await writeFile(join(dir, 'shared.key'), JSON.stringify(keyFile), { mode: 0o600 });
  await writeFile(join(dir, 'plain.txt'), plaintext);
});
afterAll(() => cleanup?.());

describe('polykms and @aws-crypto/client-node', () => {
  it('decrypts what the ESDK wrote (v2), and the ESDK decrypts what polykms wrote', async () => {
    const esdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const { result } = await esdk.encrypt(esdkKeyring(), plaintext, { encryptionContext: { team: 'data' } });
    await writeFile(join(dir, 'esdk.pkms'), result);
    const ours = await cli([
      'decrypt',
      'esdk.pkms',
      '-k',
      'local://shared.key',
      '-e',
      'team=data',
      '-o',
      '-',
    ]);
    expect(ours.code, ours.stderr).toBe(0);
    expect(ours.stdout).toEqual(plaintext);

    expect((await cli(['encrypt', 'plain.txt', '-k', 'local://shared.key', '-c', 'team=data'])).code).toBe(0);
    const theirs = await esdk.decrypt(esdkKeyring(), await readFile(join(dir, 'plain.txt.pkms')));
    expect(Buffer.from(theirs.plaintext)).toEqual(plaintext);
    expect(theirs.messageHeader.encryptionContext).toMatchObject({ team: 'data' });
  });

  it('reads a legacy non-committing (v1) message only with --allow-v1', async () => {
    const legacy = buildClient(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT);
    const { result } = await legacy.encrypt(esdkKeyring(), plaintext, {
      suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA256,
    });
    await writeFile(join(dir, 'v1.pkms'), result);
    const refused = await cli(['decrypt', 'v1.pkms', '-k', 'local://shared.key', '-o', 'v1.txt']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('ERR_COMMITMENT_POLICY');
    const allowed = await cli(['decrypt', 'v1.pkms', '-k', 'local://shared.key', '--allow-v1', '-o', '-']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toEqual(plaintext);
  });
});
