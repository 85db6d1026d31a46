import { randomBytes } from 'node:crypto';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GetKeyRotationStatusCommand,
  type KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KmsTarget, motoOnPath, startEmulatorTarget, startMotoTarget } from './aws-targets.js';

/** The SDK error a call fails with; fails the test if the call succeeds. */
async function failure(call: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await call;
  } catch (error) {
    return error as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}

const targets = [
  { name: 'emulator', start: startEmulatorTarget, skip: undefined },
  {
    name: 'moto',
    start: startMotoTarget,
    skip: motoOnPath ? undefined : 'moto_server is not on PATH',
  },
] as const;

describe.each(targets)('AWS KMS wire protocol against $name', ({ name, start, skip }) => {
  let target: KmsTarget;
  let kms: KMSClient;
  const isMoto = name === 'moto';

  beforeAll(async () => {
    if (skip) return;
    target = await start();
    kms = target.client();
  });
  afterAll(async () => {
    kms?.destroy();
    await target?.stop();
  });

  const newKey = async (description = 'test key') => {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: description }));
    return KeyMetadata as { KeyId: string; Arn: string; AWSAccountId: string };
  };

  it.skipIf(skip !== undefined)(`runs (skipped when ${skip ?? 'never'})`, () => {
    expect(target.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  describe.skipIf(skip !== undefined)('keys and aliases', () => {
    it('creates a symmetric key whose metadata names it by id and ARN', async () => {
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'described' }));
      expect(KeyMetadata?.Arn).toBe(
        `arn:aws:kms:us-east-1:${KeyMetadata?.AWSAccountId}:key/${KeyMetadata?.KeyId}`,
      );
      expect(KeyMetadata).toMatchObject({
        Description: 'described',
        Enabled: true,
        KeyState: 'Enabled',
        KeySpec: 'SYMMETRIC_DEFAULT',
        Origin: 'AWS_KMS',
        KeyManager: 'CUSTOMER',
      });
      expect(KeyMetadata?.CreationDate).toBeInstanceOf(Date);
      if (!isMoto) expect(KeyMetadata?.AWSAccountId).toBe('111122223333');
    });

    it('resolves a key by id, key ARN, alias name and alias ARN', async () => {
      const key = await newKey();
      const alias = `alias/by-name-${randomBytes(4).toString('hex')}`;
      await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId }));
      const aliasArn = `arn:aws:kms:us-east-1:${key.AWSAccountId}:${alias}`;
      for (const KeyId of [key.KeyId, key.Arn, alias, aliasArn]) {
        const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId }));
        expect(KeyMetadata?.Arn).toBe(key.Arn);
      }
    });

    it('lists created keys and aliases', async () => {
      const key = await newKey();
      const alias = `alias/listed-${randomBytes(4).toString('hex')}`;
      await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.Arn }));
      const { Keys } = await kms.send(new ListKeysCommand({}));
      expect(Keys).toContainEqual({ KeyId: key.KeyId, KeyArn: key.Arn });
      const { Aliases } = await kms.send(new ListAliasesCommand({ KeyId: key.KeyId }));
      expect(Aliases?.map((a) => [a.AliasName, a.TargetKeyId])).toEqual([[alias, key.KeyId]]);
    });

    it('refuses a duplicate alias with AlreadyExistsException', async () => {
      const key = await newKey();
      const alias = `alias/dup-${randomBytes(4).toString('hex')}`;
      await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId }));
      const error = await failure(
        kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId })),
      );
      expect(error.name).toBe('AlreadyExistsException');
    });

    it('refuses an alias name outside alias/ (ValidationException) and in the reserved alias/aws/', async () => {
      const key = await newKey();
      const outside = await failure(
        kms.send(new CreateAliasCommand({ AliasName: 'not-an-alias', TargetKeyId: key.KeyId })),
      );
      expect(outside.name).toBe('ValidationException');
      const reserved = kms.send(
        new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: key.KeyId }),
      );
      // moto deviates: it creates aliases in the reserved alias/aws/ namespace. AWS refuses them.
      if (isMoto) return void (await reserved);
      expect((await failure(reserved)).name).toBe('InvalidAliasNameException');
    });

    it('answers NotFoundException for an unknown key id, key ARN or alias', async () => {
      const key = await newKey();
      const unknownId = '00000000-0000-4000-8000-000000000000';
      for (const KeyId of [unknownId, key.Arn.replace(key.KeyId, unknownId), 'alias/never-created']) {
        const error = await failure(kms.send(new DescribeKeyCommand({ KeyId })));
        expect(error.name).toBe('NotFoundException');
        if (!isMoto) expect(error.$metadata?.httpStatusCode).toBe(404);
      }
    });
  });

  describe.skipIf(skip !== undefined)('encrypt and decrypt', () => {
    it('round-trips with an encryption context whose pair order does not matter', async () => {
      const key = await newKey();
      const plaintext = randomBytes(100);
      const encrypted = await kms.send(
        new EncryptCommand({ KeyId: key.KeyId, Plaintext: plaintext, EncryptionContext: { a: '1', b: '2' } }),
      );
      expect(encrypted.KeyId).toBe(key.Arn);
      if (isMoto) expect(encrypted.EncryptionAlgorithm).toBeUndefined();
      else expect(encrypted.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
      const decrypted = await kms.send(
        new DecryptCommand({
          CiphertextBlob: encrypted.CiphertextBlob,
          EncryptionContext: { b: '2', a: '1' },
        }),
      );
      expect(decrypted.KeyId).toBe(key.Arn);
      expect(Buffer.from(decrypted.Plaintext as Uint8Array).equals(plaintext)).toBe(true);
      const withKeyId = await kms.send(
        new DecryptCommand({
          CiphertextBlob: encrypted.CiphertextBlob,
          KeyId: key.Arn,
          EncryptionContext: { a: '1', b: '2' },
        }),
      );
      expect(Buffer.from(withKeyId.Plaintext as Uint8Array).equals(plaintext)).toBe(true);
    });

    it('encrypts through an alias and reports the key ARN', async () => {
      const key = await newKey();
      const alias = `alias/enc-${randomBytes(4).toString('hex')}`;
      await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId }));
      const encrypted = await kms.send(new EncryptCommand({ KeyId: alias, Plaintext: Buffer.from('hi') }));
      expect(encrypted.KeyId).toBe(key.Arn);
    });

    it('answers InvalidCiphertextException when the context differs in a value, a key, case or is missing', async () => {
      const key = await newKey();
      const { CiphertextBlob } = await kms.send(
        new EncryptCommand({
          KeyId: key.KeyId,
          Plaintext: Buffer.from('x'),
          EncryptionContext: { purpose: 'test' },
        }),
      );
      const mismatches: Record<string, string>[] = [
        { purpose: 'other' },
        { Purpose: 'test' },
        {},
        { purpose: 'test', more: '' },
      ];
      for (const EncryptionContext of mismatches) {
        const error = await failure(kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext })));
        expect(error.name).toBe('InvalidCiphertextException');
      }
    });

    it('answers InvalidCiphertextException for a tampered blob', async () => {
      const key = await newKey();
      const { CiphertextBlob } = await kms.send(
        new EncryptCommand({ KeyId: key.KeyId, Plaintext: randomBytes(32) }),
      );
      const blob = Buffer.from(CiphertextBlob as Uint8Array);
      for (const index of [blob.length - 1, blob.length - 20, blob.length - 40]) {
        const tampered = Buffer.from(blob);
        tampered[index] = (tampered[index] as number) ^ 0x01;
        const error = await failure(kms.send(new DecryptCommand({ CiphertextBlob: tampered })));
        expect(error.name).toBe('InvalidCiphertextException');
      }
      const truncated = await failure(kms.send(new DecryptCommand({ CiphertextBlob: blob.subarray(0, 20) })));
      expect(truncated.name).toBe(isMoto ? 'InvalidCiphertextException' : 'InvalidCiphertextException');
    });

    it('answers IncorrectKeyException when Decrypt names another key than the blob (AWS; moto says AccessDenied)', async () => {
      const [a, b] = [await newKey(), await newKey()];
      const { CiphertextBlob } = await kms.send(
        new EncryptCommand({ KeyId: a.KeyId, Plaintext: Buffer.from('x') }),
      );
      const error = await failure(kms.send(new DecryptCommand({ CiphertextBlob, KeyId: b.Arn })));
      // AWS (and our emulator) answer IncorrectKeyException; moto deviates with AccessDeniedException.
      expect(error.name).toBe(isMoto ? 'AccessDeniedException' : 'IncorrectKeyException');
    });

    it('answers ValidationException for a plaintext over 4096 bytes', async () => {
      const key = await newKey();
      const error = await failure(
        kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: randomBytes(4097) })),
      );
      expect(error.name).toBe('ValidationException');
      await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: randomBytes(4096) }));
    });
  });

  describe.skipIf(skip !== undefined)('data keys and re-encryption', () => {
    it('generates data keys by NumberOfBytes or KeySpec, decryptable under the same context', async () => {
      const key = await newKey();
      const EncryptionContext = { tenant: 't1' };
      for (const [request, length] of [
        [{ NumberOfBytes: 1 }, 1],
        [{ NumberOfBytes: 1024 }, 1024],
        [{ KeySpec: 'AES_128' as const }, 16],
        [{ KeySpec: 'AES_256' as const }, 32],
      ] as const) {
        const generated = await kms.send(
          new GenerateDataKeyCommand({ KeyId: key.KeyId, EncryptionContext, ...request }),
        );
        expect(generated.Plaintext?.length).toBe(length);
        expect(generated.KeyId).toBe(key.Arn);
        const decrypted = await kms.send(
          new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext }),
        );
        expect(
          Buffer.from(decrypted.Plaintext as Uint8Array).equals(
            Buffer.from(generated.Plaintext as Uint8Array),
          ),
        ).toBe(true);
      }
    });

    it('generates a data key without plaintext whose blob decrypts to 32 bytes', async () => {
      const key = await newKey();
      const generated = await kms.send(
        new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }),
      );
      expect(generated).not.toHaveProperty('Plaintext');
      expect(generated.KeyId).toBe(key.Arn);
      const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob }));
      expect(decrypted.Plaintext?.length).toBe(32);
    });

    it('answers ValidationException for NumberOfBytes outside 1–1024', async () => {
      const key = await newKey();
      for (const NumberOfBytes of [0, 1025]) {
        const error = await failure(
          kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes })),
        );
        expect(error.name).toBe('ValidationException');
      }
    });

    it('re-encrypts under another key and context', async () => {
      const [source, destination] = [await newKey(), await newKey()];
      const plaintext = randomBytes(48);
      const { CiphertextBlob } = await kms.send(
        new EncryptCommand({ KeyId: source.KeyId, Plaintext: plaintext, EncryptionContext: { stage: '1' } }),
      );
      const reEncrypted = await kms.send(
        new ReEncryptCommand({
          CiphertextBlob,
          SourceEncryptionContext: { stage: '1' },
          DestinationKeyId: destination.KeyId,
          DestinationEncryptionContext: { stage: '2' },
        }),
      );
      expect(reEncrypted.KeyId).toBe(destination.Arn);
      expect(reEncrypted.SourceKeyId).toBe(source.Arn);
      const decrypted = await kms.send(
        new DecryptCommand({ CiphertextBlob: reEncrypted.CiphertextBlob, EncryptionContext: { stage: '2' } }),
      );
      expect(decrypted.KeyId).toBe(destination.Arn);
      expect(Buffer.from(decrypted.Plaintext as Uint8Array).equals(plaintext)).toBe(true);
    });

    it('refuses ReEncrypt whose SourceKeyId is not the blob key (AWS IncorrectKeyException)', async () => {
      const [source, other] = [await newKey(), await newKey()];
      const { CiphertextBlob } = await kms.send(
        new EncryptCommand({ KeyId: source.KeyId, Plaintext: Buffer.from('x') }),
      );
      const call = kms.send(
        new ReEncryptCommand({ CiphertextBlob, SourceKeyId: other.KeyId, DestinationKeyId: other.KeyId }),
      );
      if (isMoto) {
        // moto deviates: it ignores SourceKeyId and re-encrypts. AWS answers IncorrectKeyException.
        await call;
      } else {
        expect((await failure(call)).name).toBe('IncorrectKeyException');
      }
    });
  });

  describe.skipIf(skip !== undefined)('key state', () => {
    it('refuses a disabled key with DisabledException and serves it again once enabled', async () => {
      const key = await newKey();
      const { CiphertextBlob } = await kms.send(
        new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }),
      );
      await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
      const described = await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
      expect(described.KeyMetadata).toMatchObject({ Enabled: false, KeyState: 'Disabled' });
      const encrypt = kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }));
      if (isMoto) {
        // moto deviates: it still encrypts under a disabled key. AWS answers DisabledException.
        await encrypt;
      } else {
        const error = await failure(encrypt);
        expect(error.name).toBe('DisabledException');
        expect(error.$metadata?.httpStatusCode).toBe(409);
        const decrypt = await failure(kms.send(new DecryptCommand({ CiphertextBlob })));
        expect(decrypt.name).toBe('DisabledException');
      }
      await kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
      await kms.send(new DecryptCommand({ CiphertextBlob }));
    });

    it('keeps old ciphertexts readable after RotateKeyOnDemand', async () => {
      const key = await newKey();
      await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId }));
      const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
      expect(status.KeyRotationEnabled).toBe(true);
      const before = await kms.send(
        new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('before') }),
      );
      const rotated = await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
      // AWS answers with the key ARN; moto deviates with the bare key id.
      expect(rotated.KeyId).toBe(isMoto ? key.KeyId : key.Arn);
      const after = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('after') }));
      for (const [blob, text] of [
        [before.CiphertextBlob, 'before'],
        [after.CiphertextBlob, 'after'],
      ] as const) {
        const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob: blob }));
        expect(Buffer.from(Plaintext as Uint8Array).toString()).toBe(text);
      }
    });

    it('schedules deletion (7–30 days), refuses use while pending, and cancels into Disabled', async () => {
      const key = await newKey();
      if (!isMoto) {
        // moto deviates: it accepts a 6-day window. AWS enforces 7–30 days with ValidationException.
        const tooShort = kms.send(
          new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 6 }),
        );
        expect((await failure(tooShort)).name).toBe('ValidationException');
      }
      const scheduled = await kms.send(
        new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }),
      );
      // AWS answers with the key ARN; moto deviates with the bare key id.
      expect(scheduled.KeyId).toBe(isMoto ? key.KeyId : key.Arn);
      expect(scheduled.DeletionDate).toBeInstanceOf(Date);
      if (!isMoto) expect(scheduled).toMatchObject({ KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
      const described = await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
      expect(described.KeyMetadata?.KeyState).toBe('PendingDeletion');
      const encrypt = kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }));
      if (isMoto) {
        // moto deviates: it still encrypts under a key pending deletion. AWS answers KMSInvalidStateException.
        await encrypt;
      } else {
        const error = await failure(encrypt);
        expect(error.name).toBe('KMSInvalidStateException');
        expect(error.message).toContain('pending deletion');
      }
      await kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
      const cancelled = await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
      expect(cancelled.KeyMetadata?.KeyState).toBe('Disabled');
    });

    it('refuses CancelKeyDeletion for a key not pending deletion (AWS; moto accepts it)', async () => {
      const key = await newKey();
      const call = kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
      // moto deviates: it "cancels" the deletion of a key that was never scheduled.
      if (isMoto) return void (await call);
      expect((await failure(call)).name).toBe('KMSInvalidStateException');
    });
  });

  describe.skipIf(skip !== undefined)('more error cases', () => {
    /** The error name, or 'accepted' when the call succeeded. */
    const outcome = (call: Promise<unknown>) =>
      call.then(
        () => 'accepted',
        (e: Error) => e.name,
      );

    it('answers ValidationException when GenerateDataKey has both or neither of KeySpec and NumberOfBytes', async () => {
      const key = await newKey();
      expect(
        await outcome(
          kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', NumberOfBytes: 32 })),
        ),
      ).toBe('ValidationException');
      expect(await outcome(kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId })))).toBe(
        'ValidationException',
      );
    });

    it('answers ValidationException for more than 10 grant tokens', async () => {
      const key = await newKey();
      const call = kms.send(
        new EncryptCommand({
          KeyId: key.KeyId,
          Plaintext: Buffer.from('x'),
          GrantTokens: Array(11).fill('t'),
        }),
      );
      // moto deviates: it ignores grant tokens. AWS answers ValidationException.
      expect(await outcome(call)).toBe(isMoto ? 'accepted' : 'ValidationException');
    });

    it('answers ValidationException for a ciphertext blob over 6144 bytes', async () => {
      const result = await outcome(kms.send(new DecryptCommand({ CiphertextBlob: randomBytes(6145) })));
      // moto deviates: it tries to parse the blob. AWS validates the length first.
      if (isMoto) expect(result).not.toBe('accepted');
      else expect(result).toBe('ValidationException');
    });

    it('answers InvalidCiphertextException for random bytes', async () => {
      const result = await outcome(kms.send(new DecryptCommand({ CiphertextBlob: randomBytes(120) })));
      // moto deviates with NotFoundException (it reads a key id from the bytes). AWS: InvalidCiphertextException.
      if (isMoto) expect(result).not.toBe('accepted');
      else expect(result).toBe('InvalidCiphertextException');
    });

    it('refuses enabling, disabling or rotating a key pending deletion with KMSInvalidStateException', async () => {
      const key = await newKey();
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
      for (const command of [
        new EnableKeyCommand({ KeyId: key.KeyId }),
        new DisableKeyCommand({ KeyId: key.KeyId }),
        new RotateKeyOnDemandCommand({ KeyId: key.KeyId }),
      ]) {
        const result = await outcome(kms.send(command as EnableKeyCommand));
        // moto deviates: it accepts all three. AWS answers KMSInvalidStateException.
        expect(result).toBe(isMoto ? 'accepted' : 'KMSInvalidStateException');
      }
    });

    it('refuses RotateKeyOnDemand on a disabled key with DisabledException', async () => {
      const key = await newKey();
      await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
      const result = await outcome(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })));
      // moto deviates: it rotates a disabled key. AWS answers DisabledException.
      expect(result).toBe(isMoto ? 'accepted' : 'DisabledException');
    });

    it('turns automatic rotation on and off', async () => {
      const key = await newKey();
      await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
      const on = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
      expect(on.KeyRotationEnabled).toBe(true);
      // moto deviates: it reports its default period instead of the one set.
      if (!isMoto) expect(on.RotationPeriodInDays).toBe(90);
      await kms.send(new DisableKeyRotationCommand({ KeyId: key.KeyId }));
      const off = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
      expect(off.KeyRotationEnabled).toBe(false);
      const tooShort = await outcome(
        kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 89 })),
      );
      // moto deviates: it accepts an 89-day period. AWS allows 90–2560 days.
      if (!isMoto) expect(tooShort).toBe('ValidationException');
    });

    it('deletes an alias, after which it no longer resolves', async () => {
      const key = await newKey();
      const alias = `alias/gone-${randomBytes(4).toString('hex')}`;
      await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId }));
      await kms.send(new DeleteAliasCommand({ AliasName: alias }));
      expect(await outcome(kms.send(new DescribeKeyCommand({ KeyId: alias })))).toBe('NotFoundException');
      expect(await outcome(kms.send(new DeleteAliasCommand({ AliasName: alias })))).toBe('NotFoundException');
    });

    it('refuses an alias that targets another alias (ValidationException) or an unknown key (NotFoundException)', async () => {
      const key = await newKey();
      const alias = `alias/first-${randomBytes(4).toString('hex')}`;
      await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId }));
      const result = await outcome(
        kms.send(new CreateAliasCommand({ AliasName: `${alias}-second`, TargetKeyId: alias })),
      );
      expect(result).toBe('ValidationException');
      expect(
        await outcome(
          kms.send(
            new CreateAliasCommand({
              AliasName: `${alias}-third`,
              TargetKeyId: '00000000-0000-4000-8000-000000000000',
            }),
          ),
        ),
      ).toBe('NotFoundException');
    });
  });

  describe.skipIf(skip !== undefined)('malformed requests', () => {
    const post = (target: string, body: string, region = 'us-east-1') =>
      fetch(`${targetEndpoint()}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': target,
          authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${region}/kms/aws4_request, SignedHeaders=host, Signature=0`,
        },
        body,
      });
    const targetEndpoint = () => target.endpoint;
    const errorOf = async (response: Response) => ({
      status: response.status,
      type: ((await response.json().catch(() => ({}))) as { __type?: string }).__type,
    });

    it('answers UnknownOperationException for an unknown operation (moto: HTTP 500)', async () => {
      const error = await errorOf(await post('TrentService.Frobnicate', '{}'));
      if (isMoto) expect(error.status).toBe(500);
      else expect(error).toEqual({ status: 400, type: 'UnknownOperationException' });
    });

    it.skipIf(isMoto)(
      'names the target of an unknown operation and the operation it does not serve',
      async () => {
        const unknown = (await (await post('TrentService.Frobnicate', '{}')).json()) as { message: string };
        expect(unknown.message).toMatch(/'TrentService\.Frobnicate' names no AWS KMS operation/);
        const unserved = await post('TrentService.Sign', '{}');
        expect(unserved.status).toBe(400);
        expect(await unserved.json()).toEqual({
          __type: 'UnsupportedOperationException',
          message: expect.stringMatching(/does not serve kms:Sign/),
        });
      },
    );

    // moto ignores a bad marker (200, first page).
    it.skipIf(isMoto)(
      'answers InvalidMarkerException for a ListKeys or ListAliases marker it never gave',
      async () => {
        for (const operation of ['ListKeys', 'ListAliases']) {
          const error = await errorOf(await post(`TrentService.${operation}`, '{"Marker":"not-a-marker"}'));
          expect(error).toEqual({ status: 400, type: 'InvalidMarkerException' });
        }
      },
    );

    it('answers SerializationException for malformed JSON, a non-object body and a wrong field type', async () => {
      for (const body of ['{bad', '[]', '{"KeyId": 5, "Plaintext": "aGk="}']) {
        const error = await errorOf(await post('TrentService.Encrypt', body));
        if (isMoto) expect(error.status).not.toBe(200);
        else expect(error).toEqual({ status: 400, type: 'SerializationException' });
      }
    });

    it('answers SerializationException for a blob that is not base64', async () => {
      const key = await newKey();
      const error = await errorOf(
        await post('TrentService.Encrypt', JSON.stringify({ KeyId: key.KeyId, Plaintext: '!!not base64' })),
      );
      if (isMoto) expect(error.status).not.toBe(200);
      else expect(error).toEqual({ status: 400, type: 'SerializationException' });
    });

    it('answers ValidationException for a missing required field', async () => {
      const error = await errorOf(await post('TrentService.Encrypt', JSON.stringify({ Plaintext: 'aGk=' })));
      if (isMoto) expect(error.status).not.toBe(200);
      else expect(error).toEqual({ status: 400, type: 'ValidationException' });
    });

    it('keeps serving after hostile input', async () => {
      for (const body of [
        '',
        '\u0000\u0001',
        '{"EncryptionContext": {"a": {"b": 1}}}',
        'null',
        '"x"',
        '1e999999',
      ]) {
        await post('TrentService.Decrypt', body);
      }
      const { Keys } = await kms.send(new ListKeysCommand({}));
      expect(Array.isArray(Keys)).toBe(true);
    });
  });
});
