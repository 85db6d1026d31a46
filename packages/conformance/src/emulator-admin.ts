import type { ConformanceAdmin, FaultKind, KeyName, KmsOperation } from './harness.js';

/**
 * The part of `@polykms/emulator`'s control plane the admin hooks need, typed structurally so that
 * this package does not depend on the emulator.
 */
export interface EmulatorControlPlane<Cloud extends string = string> {
  deny(rule: { cloud: Cloud; operation: string; keyId?: string | undefined }): void;
  allow(rule: { cloud: Cloud }): void;
  injectFault(spec: {
    cloud: Cloud;
    kind: FaultKind;
    operation?: string | undefined;
    keyId?: string | undefined;
    count?: number | undefined;
    latencyMs?: number | undefined;
  }): number;
  clearFaults(cloud?: Cloud): void;
  calls(filter?: { cloud?: Cloud }): { total: number };
}

export interface EmulatorAdminOptions<Cloud extends string> {
  readonly control: EmulatorControlPlane<Cloud>;
  readonly cloud: Cloud;
  /** Key A's and key B's ids as the emulator matches them (canonical id or last path segment). */
  readonly keyIds: () => Record<KeyName, string>;
  /** The cloud's operation names for each kind of operation, e.g. encrypt: GenerateDataKey, Encrypt. */
  readonly operations: Record<KmsOperation, readonly string[]>;
}

/** The deny, fault and call-count hooks of a harness, over the emulator's control plane. */
export function emulatorAdmin<Cloud extends string>(
  options: EmulatorAdminOptions<Cloud>,
): Required<Pick<ConformanceAdmin, 'deny' | 'allow' | 'injectFault' | 'clearFaults' | 'callCount'>> {
  const { control, cloud, operations } = options;
  return {
    deny(key, operation) {
      for (const name of operations[operation])
        control.deny({ cloud, operation: name, keyId: options.keyIds()[key] });
    },
    allow() {
      control.allow({ cloud });
    },
    injectFault(kind, fault = {}) {
      const keyId = fault.key === undefined ? undefined : options.keyIds()[fault.key];
      const names = fault.operation === undefined ? [undefined] : operations[fault.operation];
      for (const operation of names) {
        control.injectFault({
          cloud,
          kind,
          operation,
          keyId,
          count: fault.count,
          latencyMs: fault.latencyMs,
        });
      }
    },
    clearFaults() {
      control.clearFaults(cloud);
    },
    callCount() {
      return control.calls({ cloud }).total;
    },
  };
}
