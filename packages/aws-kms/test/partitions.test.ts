import { describe, expect, it } from 'vitest';
import { regionInPartition } from '../src/partitions.js';

describe('regionInPartition', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['eu-central-1', 'aws'],
    ['mx-central-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
  ])('places %s in %s', (region, partition) => {
    expect(regionInPartition(region, partition)).toBe(true);
  });

  it.each([
    ['cn-north-1', 'aws'],
    ['us-gov-west-1', 'aws'],
    ['us-iso-east-1', 'aws'],
    ['zz-evil-9', 'aws'],
    ['us-east-1', 'aws-cn'],
    ['us-east-1', 'constructor'],
    ['us-east-1', 'made-up'],
  ])('does not place %s in %s', (region, partition) => {
    expect(regionInPartition(region, partition)).toBe(false);
  });
});
