import { type Keyring, type PolykmsError, unwrapDataKey, wrapDataKey } from '@polykms/envelope';
import { type FailureExpectation, check, expectFailure } from './assertions.js';
import { context, suite, wrapFresh } from './fixtures.js';
import type { ConformanceAdmin, ConformanceHarness, KmsOperation } from './harness.js';

/** One property a correct keyring has, checked against a harness. */
export interface ConformanceCase {
  /** Stable id used in reports, e.g. `isolation/key-b-ignores-key-a`. */
  readonly id: string;
  /** The behaviour it pins, phrased as a test name. */
  readonly title: string;
  /** Why a skip happens: returns the reason when the harness lacks what the case needs. */
  readonly needs?: (harness: ConformanceHarness) => string | undefined;
  readonly run: (harness: ConformanceHarness) => Promise<void>;
}

export type Requirement = (harness: ConformanceHarness) => string | undefined;

/** The first unmet requirement's reason, or undefined when all are met. */
export function all(...requirements: Requirement[]): Requirement {
  return (harness) => {
    for (const requirement of requirements) {
      const reason = requirement(harness);
      if (reason !== undefined) return reason;
    }
    return undefined;
  };
}

export const remote: Requirement = (h) =>
  h.remote ? undefined : 'not applicable: the keyring makes no KMS call';

export function admin(...hooks: (keyof ConformanceAdmin)[]): Requirement {
  return (h) => {
    const missing = hooks.filter((hook) => typeof h.admin?.[hook] !== 'function');
    return missing.length === 0
      ? undefined
      : `the harness has no ${missing.map((m) => `admin.${m}`).join(', ')}`;
  };
}

type OptionalHook =
  | 'keyringForMissingKey'
  | 'keyringWithTimeout'
  | 'discoveryKeyring'
  | 'encryptOnlyKeyringForKeyA';

export function hook(name: OptionalHook): Requirement {
  return (h) => (typeof h[name] === 'function' ? undefined : `the harness has no ${name}`);
}

export const callCount: Requirement = all(remote, admin('callCount'));

/** Calls the harness's admin hook, which `needs` has already established exists. */
export function adminOf(harness: ConformanceHarness): Required<ConformanceAdmin> {
  return harness.admin as Required<ConformanceAdmin>;
}

/** The number of KMS calls `action` made. */
export async function countCalls<T>(
  harness: ConformanceHarness,
  action: () => Promise<T>,
): Promise<{ result: T; calls: number }> {
  const before = await adminOf(harness).callCount();
  const result = await action();
  const after = await adminOf(harness).callCount();
  return { result, calls: after - before };
}

export async function keyrings(harness: ConformanceHarness): Promise<{ a: Keyring; b: Keyring }> {
  return { a: await harness.keyringForKeyA(), b: await harness.keyringForKeyB() };
}

/** True when the harness can count KMS calls (remote, with `admin.callCount`). */
export function countsCalls(harness: ConformanceHarness): boolean {
  return callCount(harness) === undefined;
}

/**
 * The KMS calls one successful `operation` costs on a fresh keyring for key A (an SDK may look
 * the key up first: Azure does), or undefined when the harness cannot count calls. Measure it
 * before disabling or denying the key.
 */
export async function callsForOneSuccess(
  harness: ConformanceHarness,
  operation: KmsOperation,
): Promise<number | undefined> {
  if (!countsCalls(harness)) return undefined;
  if (operation === 'encrypt') {
    const fresh = await harness.keyringForKeyA();
    return (await countCalls(harness, () => wrapDataKey(fresh, { suite, encryptionContext: context }))).calls;
  }
  const { edk } = await wrapFresh(await harness.keyringForKeyA());
  const fresh = await harness.keyringForKeyA();
  const { calls } = await countCalls(harness, () =>
    unwrapDataKey(fresh, { suite, encryptionContext: context, encryptedDataKeys: [edk] }),
  );
  return calls;
}

/**
 * `expectFailure` for failures a retry cannot fix (access denied, disabled or missing key): when
 * the harness counts calls, the failure must cost no more KMS calls than one success does
 * (`budget`, from `callsForOneSuccess`): a keyring that retries it multiplies them.
 */
export async function expectFinalFailure(
  harness: ConformanceHarness,
  budget: number | undefined,
  action: () => Promise<unknown>,
  what: string,
  expected: FailureExpectation,
): Promise<PolykmsError> {
  if (budget === undefined) return expectFailure(action(), what, expected);
  const { result, calls } = await countCalls(harness, () => expectFailure(action(), what, expected));
  check(
    calls <= Math.max(1, budget),
    `${what} made ${calls} KMS calls for a failure a retry cannot fix (${result.code}), ` +
      `where one success costs ${budget}: it must not be retried`,
  );
  return result;
}
