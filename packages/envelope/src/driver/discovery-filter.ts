import { InvalidArgumentError } from '../errors.js';

export interface FilterListSpec {
  readonly provider: string;
  /** Where the list sits in the options, e.g. `discoveryFilter.accountIds`. */
  readonly field: string;
  /** What one entry is, e.g. `12-digit account id`. */
  readonly entry: string;
  /** Further check on each (non-empty string) entry. */
  readonly accepts?: ((entry: string) => boolean) | undefined;
}

/**
 * One list of a discovery keyring's filter (accounts, projects, vault hosts…) as a set. It must
 * name at least one entry and every entry must be a valid non-empty string: a filter that is
 * missing or malformed is refused when the keyring is made, never read as "allow any".
 */
export function discoveryFilterSet(value: unknown, spec: FilterListSpec): ReadonlySet<string> {
  const valid =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((e) => typeof e === 'string' && e.length > 0 && (spec.accepts?.(e) ?? true));
  if (!valid) {
    throw new InvalidArgumentError(
      `${spec.provider}: ${spec.field} must list at least one ${spec.entry}, and only those`,
      { provider: spec.provider },
    );
  }
  return new Set(value as string[]);
}

/** What a discovery keyring's `wrap` throws: it only decrypts. */
export function discoveryCannotEncrypt(
  provider: string,
  description: string,
  keyringToUse: string,
): InvalidArgumentError {
  return new InvalidArgumentError(
    `a discovery keyring cannot encrypt: use ${keyringToUse} with a key id (${description})`,
    { provider },
  );
}
