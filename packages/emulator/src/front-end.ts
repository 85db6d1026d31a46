import type { Cloud, EmulatorControl } from './control.js';

/** One cloud's server. `start.ts` wires the three of them to one control plane. */
export interface CloudFrontEnd {
  readonly cloud: Cloud;
  /** Binds `host:port` (port 0 = any free port) and resolves with the bound port. */
  listen(host: string, port: number): Promise<number>;
  close(): Promise<void>;
  /** All key state, as JSON-serialisable data, for persistence across restarts. */
  snapshot(): unknown;
  /** Replaces all key state with a snapshot taken earlier. */
  restore(state: unknown): void;
}

export interface FrontEndOptions {
  readonly control: EmulatorControl;
  /** Called after every state change so that a persisting emulator can save. */
  readonly onChange: () => void;
}
