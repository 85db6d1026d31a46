import { describe, expect, it } from 'vitest';
import { resolveShard } from '../src/fleet/shard-auto.js';

describe('--shard auto', () => {
  it('reads a Kubernetes Indexed Job’s index and the count from POLYKMS_SHARD_COUNT', () => {
    expect(resolveShard('auto', { JOB_COMPLETION_INDEX: '3', POLYKMS_SHARD_COUNT: '8' })).toEqual({
      index: 3,
      count: 8,
    });
  });

  it('reads an AWS Batch array job’s index', () => {
    expect(resolveShard('auto', { AWS_BATCH_JOB_ARRAY_INDEX: '0', POLYKMS_SHARD_COUNT: '2' })).toEqual({
      index: 0,
      count: 2,
    });
  });

  it('refuses without a scheduler index, without a count, or with an index past the count', () => {
    expect(() => resolveShard('auto', { POLYKMS_SHARD_COUNT: '2' })).toThrow(/JOB_COMPLETION_INDEX/);
    expect(() => resolveShard('auto', { JOB_COMPLETION_INDEX: '1' })).toThrow(/POLYKMS_SHARD_COUNT/);
    expect(() => resolveShard('auto', { JOB_COMPLETION_INDEX: '4', POLYKMS_SHARD_COUNT: '4' })).toThrow(
      /not below/,
    );
    expect(() => resolveShard('auto', { JOB_COMPLETION_INDEX: 'x', POLYKMS_SHARD_COUNT: '4' })).toThrow(
      /whole number/,
    );
  });

  it('still takes i/n', () => {
    expect(resolveShard('1/4', {})).toEqual({ index: 1, count: 4 });
  });
});
