import { createCryptoMethods } from './crypto-methods.js';
import { createManagementMethods } from './management.js';
import type { GcpMethod } from './method.js';
import type { GcpKeyStore } from './store.js';

export type { GcpMethod } from './method.js';

/** Every RPC the emulator serves, by its name in `KeyManagementService`. */
export function createGcpService(store: GcpKeyStore): Record<string, GcpMethod> {
  return { ...createManagementMethods(store), ...createCryptoMethods(store) };
}
