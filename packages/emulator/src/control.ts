/**
 * The test-control plane shared by the three cloud front ends: simulated permissions, fault
 * injection and call counters. Every front end calls `admit` once per request, after parsing the
 * operation and the key it targets and before doing any work.
 */
export type Cloud = 'aws' | 'gcp' | 'azure';

/**
 * Matches a key when undefined (every key), equal to the canonical key id, or equal to its last
 * path segment(s): `1234abcd-…` matches `arn:aws:kms:us-east-1:111122223333:key/1234abcd-…`,
 * `my-key` matches `projects/p/locations/l/keyRings/r/cryptoKeys/my-key`.
 */
export type KeySelector = string | undefined;

export type FaultKind =
  /** The cloud's throttling error (AWS ThrottlingException 400, GCP RESOURCE_EXHAUSTED, Azure 429). */
  | 'throttle'
  /** The cloud's retryable server error (AWS 503, GCP UNAVAILABLE, Azure 503). */
  | 'unavailable'
  /** Wait `latencyMs`, then serve the call normally. */
  | 'latency'
  /** Destroy the connection without an answer. */
  | 'drop';

export interface FaultSpec {
  readonly cloud: Cloud;
  readonly kind: FaultKind;
  /** Operation name as the cloud spells it (`Decrypt`, `Encrypt`, `unwrapKey`); undefined = all. */
  readonly operation?: string | undefined;
  readonly keyId?: KeySelector;
  /** How many matching calls it affects; undefined = until cleared. */
  readonly count?: number | undefined;
  readonly latencyMs?: number | undefined;
}

export interface PermissionRule {
  readonly cloud: Cloud;
  readonly operation: string;
  readonly keyId?: KeySelector;
  /**
   * Only this caller is denied (a credential that may encrypt but not decrypt, say); undefined =
   * every caller. AWS names callers by the SigV4 access key id, Azure by the bearer token; GCP
   * reports none, so a rule with a principal never matches its calls.
   */
  readonly principal?: string | undefined;
}

export interface CallRecord {
  readonly cloud: Cloud;
  readonly operation: string;
  /** Canonical key id, or '' for calls that target no key (ListKeys). */
  readonly keyId: string;
  readonly count: number;
}

export type Admission =
  | { readonly outcome: 'allow'; readonly latencyMs: number }
  | { readonly outcome: 'deny'; readonly latencyMs: number }
  | {
      readonly outcome: 'fault';
      readonly kind: 'throttle' | 'unavailable' | 'drop';
      readonly latencyMs: number;
    };

interface ActiveFault {
  readonly id: number;
  readonly spec: FaultSpec;
  remaining: number;
}

/** A fault as `faults()` lists it: its id, its spec and how many calls it still affects (null = until cleared). */
export interface FaultListing extends FaultSpec {
  readonly id: number;
  readonly remaining: number | null;
}

/**
 * Distinct (cloud, operation, key) call records kept. Calls beyond it are counted under the key id
 * `OVERFLOW_KEY_ID`, so a client sending endless made-up key ids cannot grow the emulator's memory
 * (or `GET /calls`) without bound while totals stay right.
 */
export const MAX_CALL_RECORDS = 10_000;
export const OVERFLOW_KEY_ID = '(other keys)';

/** Thrown for a rule that could never match: an operation the cloud does not have. */
export class ControlRuleError extends Error {
  override readonly name = 'ControlRuleError';
}

export function keyMatches(selector: KeySelector, keyId: string): boolean {
  if (selector === undefined || selector === '*') return true;
  return keyId === selector || keyId.endsWith(`/${selector}`);
}

export class EmulatorControl {
  #faults: ActiveFault[] = [];
  #nextFaultId = 1;
  #denied: PermissionRule[] = [];
  #calls = new Map<string, CallRecord>();
  #operations = new Map<Cloud, ReadonlySet<string>>();

  /**
   * Declares the operations a cloud's front end admits; from then on a fault or denial naming
   * another operation of that cloud is refused (a misspelt one would otherwise never fire).
   */
  registerOperations(cloud: Cloud, operations: readonly string[]): void {
    this.#operations.set(cloud, new Set(operations));
  }

  #checkOperation(cloud: Cloud, operation: string | undefined): void {
    const known = this.#operations.get(cloud);
    if (operation === undefined || known === undefined || known.has(operation)) return;
    throw new ControlRuleError(
      `${cloud} has no operation "${operation}" (known: ${[...known].sort().join(', ')})`,
    );
  }

  /** Denies `operation` on matching keys with the cloud's own access-denied error. */
  deny(rule: PermissionRule): void {
    this.#checkOperation(rule.cloud, rule.operation);
    this.#denied.push(rule);
  }

  /** Removes deny rules equal to `rule` (or all of a cloud's when `rule` names only the cloud). */
  allow(rule: Partial<PermissionRule> & { cloud: Cloud }): void {
    this.#denied = this.#denied.filter(
      (r) =>
        !(
          r.cloud === rule.cloud &&
          (rule.operation === undefined || r.operation === rule.operation) &&
          (rule.keyId === undefined || r.keyId === rule.keyId) &&
          (rule.principal === undefined || r.principal === rule.principal)
        ),
    );
  }

  injectFault(spec: FaultSpec): number {
    this.#checkOperation(spec.cloud, spec.operation);
    const id = this.#nextFaultId++;
    this.#faults.push({ id, spec, remaining: spec.count ?? Number.POSITIVE_INFINITY });
    return id;
  }

  /** The active faults, oldest first. */
  faults(cloud?: Cloud): FaultListing[] {
    return this.#faults
      .filter((f) => cloud === undefined || f.spec.cloud === cloud)
      .map((f) => ({
        ...f.spec,
        id: f.id,
        remaining: Number.isFinite(f.remaining) ? f.remaining : null,
      }));
  }

  clearFault(id: number): void {
    this.#faults = this.#faults.filter((f) => f.id !== id);
  }

  clearFaults(cloud?: Cloud): void {
    this.#faults = cloud ? this.#faults.filter((f) => f.spec.cloud !== cloud) : [];
  }

  /**
   * Counts the call, then decides its fate: a fault (consumed), a denial, or admission, with any
   * latency to add first. Front ends sleep `latencyMs` before acting on the outcome. `principal`
   * is the caller as the front end knows it, if it does.
   */
  admit(cloud: Cloud, operation: string, keyId: string, principal?: string): Admission {
    this.#count(cloud, operation, keyId);
    let latencyMs = 0;
    for (const fault of [...this.#faults]) {
      const { spec } = fault;
      if (spec.cloud !== cloud || (spec.operation !== undefined && spec.operation !== operation)) continue;
      if (!keyMatches(spec.keyId, keyId)) continue;
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.clearFault(fault.id);
      if (spec.kind === 'latency') {
        latencyMs += spec.latencyMs ?? 0;
        continue;
      }
      return { outcome: 'fault', kind: spec.kind, latencyMs };
    }
    const denied = this.#denied.some(
      (r) =>
        r.cloud === cloud &&
        r.operation === operation &&
        keyMatches(r.keyId, keyId) &&
        (r.principal === undefined || r.principal === principal),
    );
    return { outcome: denied ? 'deny' : 'allow', latencyMs };
  }

  #count(cloud: Cloud, operation: string, keyId: string): void {
    let key = `${cloud}\u0000${operation}\u0000${keyId}`;
    let previous = this.#calls.get(key);
    if (previous === undefined && this.#calls.size >= MAX_CALL_RECORDS) {
      keyId = OVERFLOW_KEY_ID;
      key = `${cloud}\u0000${operation}\u0000${keyId}`;
      previous = this.#calls.get(key);
    }
    this.#calls.set(key, { cloud, operation, keyId, count: (previous?.count ?? 0) + 1 });
  }

  /** Call counts, optionally filtered; `total` sums them. */
  calls(filter: { cloud?: Cloud; operation?: string; keyId?: KeySelector } = {}): {
    records: CallRecord[];
    total: number;
  } {
    const records = [...this.#calls.values()].filter(
      (r) =>
        (filter.cloud === undefined || r.cloud === filter.cloud) &&
        (filter.operation === undefined || r.operation === filter.operation) &&
        (filter.keyId === undefined || keyMatches(filter.keyId, r.keyId)),
    );
    return { records, total: records.reduce((sum, r) => sum + r.count, 0) };
  }

  resetCounters(): void {
    this.#calls.clear();
  }

  /** Clears faults, denials and counters; key state is untouched. */
  reset(): void {
    this.#faults = [];
    this.#denied = [];
    this.#calls.clear();
  }
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
