/**
 * Which regions belong to which AWS partition: the `regionRegex` of each partition in the AWS
 * SDKs' public partition data. A region no pattern matches belongs to none.
 */
const REGION_PATTERNS: Readonly<Record<string, RegExp>> = {
  aws: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/,
  'aws-cn': /^cn-\w+-\d+$/,
  'aws-us-gov': /^us-gov-\w+-\d+$/,
  'aws-iso': /^us-iso-\w+-\d+$/,
  'aws-iso-b': /^us-isob-\w+-\d+$/,
  'aws-iso-e': /^eu-isoe-\w+-\d+$/,
  'aws-iso-f': /^us-isof-\w+-\d+$/,
  'aws-eusc': /^eusc-de-\w+-\d+$/,
};

export const KNOWN_PARTITIONS: readonly string[] = Object.keys(REGION_PATTERNS);

/** Whether `region` is a region of `partition` (false for an unknown partition). */
export function regionInPartition(region: string, partition: string): boolean {
  return Object.hasOwn(REGION_PATTERNS, partition) && REGION_PATTERNS[partition]!.test(region);
}
