import { Suites, type SuiteId } from '@polykms/envelope';
import { CliError } from './cli-error.js';

/** Commander collector for repeatable options (`--key a --key b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `k=v` pairs into an encryption context; the value may contain `=`, the key may not be empty. */
export function parseContext(pairs: readonly string[] = [], flag = '--context'): Record<string, string> {
  const context: Record<string, string> = Object.create(null); // "__proto__" is a key like any other
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`${flag} takes key=value, got '${pair}'`);
    const key = pair.slice(0, eq);
    if (Object.hasOwn(context, key)) throw new CliError(`${flag} gives '${key}' twice`);
    context[key] = pair.slice(eq + 1);
  }
  return context;
}

const SUITE_NAMES: Record<string, SuiteId> = {
  committed: Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY.id,
  'committed-signed': Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384.id,
};

/** `--suite`: `committed` (0x0478, the default), `committed-signed` (0x0578), or the hex id or ESDK name. */
export function parseSuite(value: string): SuiteId {
  const named = SUITE_NAMES[value.toLowerCase()];
  if (named) return named;
  const byName = Object.values(Suites).find((s) => s.name === value.toUpperCase());
  if (byName) return byName.id;
  const byId = /^0x[0-9a-f]{4}$/i.test(value)
    ? Object.values(Suites).find((s) => s.id === Number.parseInt(value, 16))
    : undefined;
  if (byId) return byId.id;
  throw new CliError(
    `unknown --suite '${value}': use committed (0x0478, the default) or committed-signed (0x0578)`,
  );
}

/** A positive integer with an optional K/M suffix (binary: 64K = 65536). */
export function parseSize(value: string, flag: string): number {
  const match = /^(\d+)([km]i?b?)?$/i.exec(value.trim());
  const unit = match?.[2]?.[0]?.toLowerCase();
  const n = match ? Number(match[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 * 1024 : 1) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new CliError(`${flag} takes a positive size such as 65536 or 64K`);
  return n;
}

export function parsePositiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag} takes a positive integer, got '${value}'`);
  return n;
}

export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** `--shard i/n`: this worker takes the files whose path hashes to i among n (0 ≤ i < n). */
export function parseShard(value: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index >= count) {
    throw new CliError(`--shard takes i/n with 0 ≤ i < n (e.g. 0/4 … 3/4), got '${value}'`);
  }
  return { index, count };
}
