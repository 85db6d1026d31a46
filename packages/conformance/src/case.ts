import type { Keyring } from '@polykms/envelope';
import type { ConformanceAdmin, ConformanceHarness } from './harness.js';

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
