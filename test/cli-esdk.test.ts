import { createCipheriv, randomBytes } from 'node:crypto';
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
import { type RawEdk, v1NonFramedMessage } from '../packages/envelope/test/support/v1-non-framed.js';
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

  it('bounds a legacy non-framed body by --max-frame-length, which is one block held whole', async () => {
    // No ESDK still writes non-framed bodies, so build one by hand, with the data key wrapped the
    // way the raw AES keyring does (provider info = name, tag bits, IV length, IV; AAD = the
    // serialized context, zero bytes when empty).
    const dataKey = randomBytes(32);
    const iv = randomBytes(12);
    const wrap = createCipheriv('aes-256-gcm', key, iv);
    wrap.setAAD(Buffer.alloc(0));
    const wrapped = Buffer.concat([wrap.update(dataKey), wrap.final(), wrap.getAuthTag()]);
    const lengths = Buffer.alloc(8);
    lengths.writeUInt32BE(128, 0);
    lengths.writeUInt32BE(12, 4);
    const edk: RawEdk = {
      providerId: identity.keyNamespace,
      providerInfo: Buffer.concat([Buffer.from(identity.keyName), lengths, iv]),
      ciphertext: wrapped,
    };
    await writeFile(join(dir, 'nonframed.pkms'), v1NonFramedMessage(dataKey, plaintext, edk));
    const decrypt = (maxFrameLength: string) =>
      cli([
        'decrypt',
        'nonframed.pkms',
        '-k',
        'local://shared.key',
        '--allow-v1',
        '--max-frame-length',
        maxFrameLength,
        '-o',
        '-',
      ]);

    const refused = await decrypt('16K');
    expect(refused.code).toBe(6);
    expect(refused.stdout.length).toBe(0);
    expect(refused.stderr.toString()).toMatch(/non-framed.*longer than --max-frame-length \(16384 bytes\)/);
    const read = await decrypt('32K');
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toEqual(plaintext);
  });
});
