import type { Cloud, EmulatorControl } from './control.js';

/** One cloud's server. `start.ts` starts the served ones from the table in `clouds.ts`. */
export interface CloudFrontEnd<Endpoint = unknown> {
  readonly cloud: Cloud;
  /** The operation names the control plane admits for this cloud (faults and denials must name one). */
  readonly operations: readonly string[];
  /** Binds `host:port` (port 0 = any free port) and resolves with the bound port. */
  listen(host: string, port: number): Promise<number>;
  close(): Promise<void>;
  /** Addresses and ready client settings, for clients that reach `host:port`. */
  endpoint(host: string, port: number): Endpoint;
  /**
   * Makes sure a key named `name` exists (creating it if not; never a second one) and returns its
   * key URI as `@polykms/key-uri` reads it. Call after `listen`.
   */
  seedKey(name: string): Promise<string>;
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
