import { describe, expect, it } from 'vitest';
import { parseAwsKmsArn, parseKeyArn } from '../src/arn.js';

describe('parseAwsKmsArn', () => {
  it('splits a key ARN into partition, region, account and key id', () => {
    expect(
      parseAwsKmsArn('arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
    ).toEqual({
      partition: 'aws',
      region: 'us-east-1',
      account: '111122223333',
      resourceType: 'key',
      resourceId: '1234abcd-12ab-34cd-56ef-1234567890ab',
      arn: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });
  });

  it('reads other partitions, multi-region keys and alias ARNs', () => {
    expect(parseAwsKmsArn('arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/mrk-1234abcd')).toMatchObject({
      partition: 'aws-us-gov',
      region: 'us-gov-west-1',
      resourceId: 'mrk-1234abcd',
    });
    expect(parseAwsKmsArn('arn:aws-cn:kms:cn-north-1:111122223333:alias/team/app')).toMatchObject({
      partition: 'aws-cn',
      resourceType: 'alias',
      resourceId: 'team/app',
    });
  });

  it('rejects what is not a KMS key or alias ARN', () => {
    for (const value of [
      '',
      'alias/app',
      '1234abcd-12ab-34cd-56ef-1234567890ab',
      'arn:aws:s3:us-east-1:111122223333:key/abc',
      'arn:aws:kms:us-east-1:1111:key/abc',
      'arn:aws:kms:us-east-1:111122223333:key/',
      'arn:aws:kms:us-east-1:111122223333:grant/abc',
      'arn:aws:kms::111122223333:key/abc',
      'arn:aws:kms:us-east-1:111122223333:key/abc\n',
      ` arn:aws:kms:us-east-1:111122223333:key/abc`,
      `arn:aws:kms:us-east-1:111122223333:key/${'a'.repeat(3000)}`,
    ]) {
      expect(parseAwsKmsArn(value), value).toBeUndefined();
    }
  });

  it('parseKeyArn accepts key ARNs only', () => {
    expect(parseKeyArn('arn:aws:kms:us-east-1:111122223333:alias/app')).toBeUndefined();
    expect(parseKeyArn('arn:aws:kms:us-east-1:111122223333:key/abc')?.resourceId).toBe('abc');
  });
});
