import type { EncryptedDataKey } from '@polykms/envelope';
import { describe, expect, it } from 'vitest';
import { recipientsOf } from '../src/recipients.js';
import { describeAlreadyPresent, splitAddedKeys } from '../src/rewrap/already-recipients.js';

const ARN_A = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ARN_B = 'arn:aws:kms:eu-west-1:111122223333:key/9999abcd-12ab-34cd-56ef-1234567890ab';
const edkOf = (arn: string): EncryptedDataKey => ({
  providerId: 'aws-kms',
  providerInfo: Buffer.from(arn),
  ciphertext: Buffer.alloc(32),
});

describe('rewrap --add-key of a key the message already has', () => {
  it('is not added again, and with nothing else to do, nothing changes', async () => {
    const added = await recipientsOf([`aws-kms://${ARN_A}`]);
    const split = splitAddedKeys([edkOf(ARN_A)], added);
    expect(split.toAdd).toEqual([]);
    expect(split.present.map((r) => r.name)).toEqual([`aws-kms://${ARN_A}`]);
    expect(describeAlreadyPresent(split, 0)).toEqual([
      `aws-kms://${ARN_A} is already a recipient of this message: not added again`,
      'nothing to change: the message is left as it is',
    ]);
  });

  it('adds the keys that are missing and says which were there', async () => {
    const added = await recipientsOf([`aws-kms://${ARN_A}`, `aws-kms://${ARN_B}`]);
    const split = splitAddedKeys([edkOf(ARN_A)], added);
    expect(split.toAdd.map((r) => r.name)).toEqual([`aws-kms://${ARN_B}`]);
    expect(describeAlreadyPresent(split, 0)).toHaveLength(1);
  });

  it('still has work to do when a key is removed', async () => {
    const split = splitAddedKeys([edkOf(ARN_A)], await recipientsOf([`aws-kms://${ARN_A}`]));
    expect(describeAlreadyPresent(split, 1)).toHaveLength(1);
  });
});
