import {
  type ErrorCode,
  ErrorCodes,
  type PolykmsError,
  type UnwrapResult,
  isPolykmsError,
  recipientFailuresOf,
  zeroize,
} from '@polykms/envelope';

/*
 * Assertions never print key or plaintext bytes: a failing case must not turn the test log into
 * the leak the suite is there to prevent. `node:assert`'s `equal`/`deepEqual` put both values on
 * the error as `actual`/`expected`, and test runners print those in full whatever the message
 * says, so every case checks through `check`, whose error carries the message only.
 */

/** A failed conformance check: a message and nothing else (no `actual`, no `expected`). */
export class ConformanceAssertionError extends Error {
  override readonly name = 'AssertionError';
}

/** Throws a ConformanceAssertionError carrying only `message` unless `condition` holds. */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ConformanceAssertionError(message);
}

/** Throws a ConformanceAssertionError carrying only `message`. */
export function fail(message: string): never {
  throw new ConformanceAssertionError(message);
}

/** Checks that an unwrap returned null, wiping (never showing) any data key it returned instead. */
export function checkNull(result: UnwrapResult | null, message: string): void {
  if (result === null) return;
  zeroize(result.dataKey);
  fail(`${message}; it returned a data key`);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

export function assertSameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  check(
    sameBytes(actual, expected),
    `${what}: the bytes differ (lengths ${actual.length} and ${expected.length})`,
  );
}

export function assertTyped(error: unknown, what: string): asserts error is PolykmsError {
  if (isPolykmsError(error)) return;
  const shown = error instanceof Error ? `${error.name}: ${error.message}` : typeof error;
  fail(`${what} threw an untyped error (${shown}); keyrings must throw PolykmsError subclasses`);
}

/**
 * The errors that say why each recipient failed: the failures inside an ERR_NO_DECRYPTABLE_KEY or
 * ERR_RECIPIENTS_UNAVAILABLE error (from any copy of @polykms/envelope), otherwise the error itself.
 */
export function innerErrors(error: PolykmsError): readonly PolykmsError[] {
  if (error.code === ErrorCodes.NoDecryptableKey || error.code === ErrorCodes.RecipientsUnavailable) {
    return recipientFailuresOf(error).flatMap((f) => innerErrors(f.error));
  }
  return [error];
}

export interface FailureExpectation {
  /** Every inner failure must carry one of these codes. */
  readonly codes: readonly ErrorCode[];
  /** When set, every inner failure must have this `retryable`. */
  readonly retryable?: boolean | undefined;
}

/** Awaits `operation`, which must reject with a typed error whose inner failures meet `expected`. */
export async function expectFailure(
  operation: Promise<unknown>,
  what: string,
  expected: FailureExpectation,
): Promise<PolykmsError> {
  let outcome: unknown;
  try {
    outcome = await operation;
  } catch (error) {
    assertTyped(error, what);
    const inner = innerErrors(error);
    check(inner.length > 0, `${what} failed with ${error.code} but listed no recipient failure`);
    for (const e of inner) {
      assertTyped(e, `${what} (inner failure)`);
      check(
        expected.codes.includes(e.code),
        `${what} failed with ${e.code}; expected ${expected.codes.join(' or ')}`,
      );
      if (expected.retryable !== undefined) {
        check(
          e.retryable === expected.retryable,
          `${what}: ${e.code} must have retryable: ${expected.retryable}`,
        );
      }
    }
    return error;
  }
  wipe(outcome);
  return fail(`${what} succeeded; expected ${expected.codes.join(' or ')}`);
}

/** Awaits `operation`, which must reject with a typed error (whatever its code), failures included. */
export async function expectRejection(operation: Promise<unknown>, what: string): Promise<PolykmsError> {
  let outcome: unknown;
  try {
    outcome = await operation;
  } catch (error) {
    assertTyped(error, what);
    for (const inner of innerErrors(error)) assertTyped(inner, `${what} (inner failure)`);
    return error;
  }
  wipe(outcome);
  return fail(`${what} succeeded; it must fail with a typed error`);
}

/**
 * For inputs a keyring must not open: `null` (not mine) or a typed error are both fine; a data
 * key is not, whatever its value.
 */
export async function expectNoDataKey(
  operation: Promise<UnwrapResult | null>,
  what: string,
): Promise<PolykmsError | null> {
  let result: UnwrapResult | null;
  try {
    result = await operation;
  } catch (error) {
    assertTyped(error, what);
    for (const inner of innerErrors(error)) assertTyped(inner, `${what} (inner failure)`);
    return error;
  }
  if (result !== null) {
    zeroize(result.dataKey);
    fail(`${what} returned a data key; it must fail with a typed error or return null`);
  }
  return null;
}

function wipe(outcome: unknown): void {
  if (outcome && typeof outcome === 'object' && 'dataKey' in outcome) {
    const key = (outcome as { dataKey?: unknown }).dataKey;
    if (key instanceof Uint8Array) zeroize(key);
  }
}
