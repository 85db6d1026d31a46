import assert from 'node:assert/strict';
import {
  type ErrorCode,
  NoDecryptableKeyError,
  PolykmsError,
  RecipientsUnavailableError,
  type UnwrapResult,
  zeroize,
} from '@polykms/envelope';

/*
 * Assertions never print key or plaintext bytes: a failing case must not turn the test log into
 * the leak the suite is there to prevent.
 */

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

export function assertSameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert.ok(
    sameBytes(actual, expected),
    `${what}: the bytes differ (lengths ${actual.length} and ${expected.length})`,
  );
}

export function assertTyped(error: unknown, what: string): asserts error is PolykmsError {
  if (error instanceof PolykmsError) return;
  const shown = error instanceof Error ? `${error.name}: ${error.message}` : typeof error;
  assert.fail(`${what} threw an untyped error (${shown}); keyrings must throw PolykmsError subclasses`);
}

/**
 * The errors that say why each recipient failed: the failures inside a NoDecryptableKeyError or
 * RecipientsUnavailableError, otherwise the error itself.
 */
export function innerErrors(error: PolykmsError): readonly PolykmsError[] {
  if (error instanceof NoDecryptableKeyError || error instanceof RecipientsUnavailableError) {
    return error.failures.flatMap((f) => innerErrors(f.error));
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
    assert.ok(inner.length > 0, `${what} failed with ${error.code} but listed no recipient failure`);
    for (const e of inner) {
      assertTyped(e, `${what} (inner failure)`);
      assert.ok(
        expected.codes.includes(e.code),
        `${what} failed with ${e.code}; expected ${expected.codes.join(' or ')}`,
      );
      if (expected.retryable !== undefined) {
        assert.equal(
          e.retryable,
          expected.retryable,
          `${what}: ${e.code} must have retryable: ${expected.retryable}`,
        );
      }
    }
    return error;
  }
  wipe(outcome);
  return assert.fail(`${what} succeeded; expected ${expected.codes.join(' or ')}`);
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
  return assert.fail(`${what} succeeded; it must fail with a typed error`);
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
    assert.fail(`${what} returned a data key; it must fail with a typed error or return null`);
  }
  return null;
}

function wipe(outcome: unknown): void {
  if (outcome && typeof outcome === 'object' && 'dataKey' in outcome) {
    const key = (outcome as { dataKey?: unknown }).dataKey;
    if (key instanceof Uint8Array) zeroize(key);
  }
}
