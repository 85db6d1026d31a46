import { parseNameOf } from './names.js';
import { type Request, type Response, required } from './request.js';

/** One RPC: which resource it acts on (for permissions and counters) and what it does. */
export interface GcpMethod {
  /** The IAM permission the real service checks; named in PERMISSION_DENIED messages. */
  readonly permission: string;
  /**
   * Validates the request's resource name; returns it as sent (for messages) and the resource the
   * control plane admits and counts (the CryptoKey for version names).
   */
  readonly target: (request: Request) => { resource: string; keyId: string };
  readonly handle: (request: Request) => Response;
  /** Whether a successful call changes state (so the emulator persists). */
  readonly mutates: boolean;
}

export const byParent =
  (kind: 'location' | 'keyRing' | 'cryptoKey') =>
  (request: Request): { resource: string; keyId: string } => {
    const parent = parseNameOf(required(request, 'parent', 'parent'), kind, 'parent').name;
    return { resource: parent, keyId: parent };
  };

export const byName =
  (kind: 'keyRing' | 'cryptoKey' | 'cryptoKeyVersion') =>
  (request: Request): { resource: string; keyId: string } => {
    const name = parseNameOf(required(request, 'name', 'name'), kind, 'name');
    return { resource: name.name, keyId: name.kind === 'cryptoKeyVersion' ? name.cryptoKey : name.name };
  };
