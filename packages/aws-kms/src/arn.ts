/**
 * AWS KMS ARNs: `arn:<partition>:kms:<region>:<account>:key/<key-id>` or `…:alias/<alias-name>`.
 * Parsing is strict (every field present, a 12-digit account) because a keyring decides from the
 * parse which EDKs it may send to KMS.
 */
export interface AwsKmsArn {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly resourceType: 'key' | 'alias';
  /** The key id (`1234abcd-…`) or the alias name without its `alias/` prefix. */
  readonly resourceId: string;
  /** The whole ARN as given. */
  readonly arn: string;
}

/** Longest KeyId KMS accepts. */
export const MAX_ARN_LENGTH = 2048;
const ARN = /^arn:(aws(?:-[a-z]+)*):kms:([a-z]{2}(?:-[a-z]+)+-\d+):(\d{12}):(key|alias)\/([A-Za-z0-9:/_-]+)$/;

/** The parts of a KMS key or alias ARN, or undefined when `value` is not one. */
export function parseAwsKmsArn(value: string): AwsKmsArn | undefined {
  if (value.length > MAX_ARN_LENGTH) return undefined;
  const match = ARN.exec(value);
  if (!match) return undefined;
  const [, partition, region, account, resourceType, resourceId] = match as unknown as [
    string,
    string,
    string,
    string,
    'key' | 'alias',
    string,
  ];
  return { partition, region, account, resourceType, resourceId, arn: value };
}

/** A key ARN (not an alias ARN), parsed; undefined otherwise. */
export function parseKeyArn(value: string): AwsKmsArn | undefined {
  const arn = parseAwsKmsArn(value);
  return arn?.resourceType === 'key' ? arn : undefined;
}

const ALIAS_NAME = /^alias\/[A-Za-z0-9:/_-]+$/;

/** `alias/<name>`: an alias without an ARN, resolved in the client's region. */
export function isAliasName(value: string): boolean {
  return value.length <= MAX_ARN_LENGTH && ALIAS_NAME.test(value);
}

/**
 * A multi-Region key: a key ARN whose key id starts `mrk-`. Its replicas in other regions share
 * its key id and key material, so what one encrypts any of them decrypts.
 */
export function isMultiRegionKey(arn: AwsKmsArn): boolean {
  return arn.resourceType === 'key' && arn.resourceId.startsWith('mrk-');
}

/**
 * The ESDK's match for decrypt: the same ARN, or two multi-Region keys that differ only in
 * region (a key and its replica).
 */
export function mrkMatch(a: AwsKmsArn, b: AwsKmsArn): boolean {
  if (a.arn === b.arn) return true;
  return (
    isMultiRegionKey(a) &&
    isMultiRegionKey(b) &&
    a.partition === b.partition &&
    a.account === b.account &&
    a.resourceId === b.resourceId
  );
}

/** The same key's ARN in `region` (for a multi-Region key: its replica there). */
export function arnInRegion(arn: AwsKmsArn, region: string): AwsKmsArn {
  const text = `arn:${arn.partition}:kms:${region}:${arn.account}:${arn.resourceType}/${arn.resourceId}`;
  return { ...arn, region, arn: text };
}
