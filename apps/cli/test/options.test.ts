import { describe, expect, it } from 'vitest';
import { CliError } from '../src/cli-error.js';
import { parseContext, parseShard, parseSize, parseSuite } from '../src/options.js';
import { shardOf } from '../src/commands/migrate.js';

describe('command-line values', () => {
  it('parses context pairs, keeping = inside values', () => {
    expect(parseContext(['tenant=acme', 'query=a=b'])).toEqual({ tenant: 'acme', query: 'a=b' });
  });

  it('refuses a pair without a key or an =, and a key given twice', () => {
    expect(() => parseContext(['=x'])).toThrow(CliError);
    expect(() => parseContext(['novalue'])).toThrow(/key=value/);
    expect(() => parseContext(['a=1', 'a=2'])).toThrow(/twice/);
  });

  it('names suites by purpose, hex id or ESDK name', () => {
    expect(parseSuite('committed')).toBe(0x0478);
    expect(parseSuite('committed-signed')).toBe(0x0578);
    expect(parseSuite('0x0578')).toBe(0x0578);
    expect(parseSuite('AES_256_GCM_HKDF_SHA512_COMMIT_KEY')).toBe(0x0478);
    expect(() => parseSuite('fast')).toThrow(/committed/);
    expect(() => parseSuite('0x9999')).toThrow(/unknown --suite/);
  });

  it('reads sizes with binary K/M suffixes', () => {
    expect(parseSize('4096', '--x')).toBe(4096);
    expect(parseSize('64K', '--x')).toBe(65536);
    expect(parseSize('1MiB', '--x')).toBe(1048576);
    expect(() => parseSize('0', '--x')).toThrow(CliError);
    expect(() => parseSize('1.5K', '--x')).toThrow(CliError);
  });

  it('reads --shard i/n with 0 ≤ i < n', () => {
    expect(parseShard('2/8')).toEqual({ index: 2, count: 8 });
    expect(() => parseShard('8/8')).toThrow(CliError);
    expect(() => parseShard('1/0')).toThrow(CliError);
    expect(() => parseShard('a/b')).toThrow(CliError);
  });
});

describe('shardOf', () => {
  it('puts every path in exactly one shard, the same one on every run', () => {
    const paths = Array.from({ length: 200 }, (_, i) => `dir/${i}.pkms`);
    const shards = paths.map((p) => shardOf(p, 4));
    expect(paths.map((p) => shardOf(p, 4))).toEqual(shards);
    for (let i = 0; i < 4; i++) expect(shards.filter((s) => s === i).length).toBeGreaterThan(20);
  });
});
