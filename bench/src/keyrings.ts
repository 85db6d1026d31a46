import { createHash } from 'node:crypto';
import type { Keyring, UnwrapRequest, WrapRequest } from '@polykms/envelope';
import { RawAesKeyring } from '@polykms/local';

/**
 * One wrapping key, shared by our keyring and client-node's so both do the same work, and fixed so
 * that the child processes of the streamed runs can read what another one wrote. A bench key only.
 */
export const WRAPPING_KEY = createHash('sha256').update('polykms bench wrapping key').digest();
export const NAMESPACE = 'bench';
export const NAME = 'key-1';

export function ourKeyring(): Keyring {
  return new RawAesKeyring({ keyNamespace: NAMESPACE, keyName: NAME, wrappingKey: WRAPPING_KEY });
}

/** Stands in for a KMS: counts the wrap and unwrap calls that would each be a network round trip. */
export class CountingKeyring implements Keyring {
  readonly description: string;
  wraps = 0;
  unwraps = 0;

  constructor(private readonly inner: Keyring) {
    this.description = `counting(${inner.description})`;
  }

  get calls(): number {
    return this.wraps + this.unwraps;
  }

  wrap(request: WrapRequest) {
    this.wraps++;
    return this.inner.wrap(request);
  }

  async unwrap(request: UnwrapRequest) {
    const result = await this.inner.unwrap(request);
    if (result) this.unwraps++;
    return result;
  }
}
