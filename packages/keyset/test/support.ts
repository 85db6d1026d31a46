import { randomBytes } from 'node:crypto';
import type { Keyring, UnwrapRequest, WrapRequest } from '@polykms/envelope';
import { RawAesKeyring } from '@polykms/local';

/** A raw AES key standing in for a cloud KEK: the keyset only sees the Keyring interface. */
export function aesKeyring(name: string, key: Uint8Array = randomBytes(32)): RawAesKeyring {
  return new RawAesKeyring({ keyNamespace: 'keyset-test', keyName: name, wrappingKey: key });
}

/** Counts the unwraps a keyring is asked for: each would be one KMS call for a cloud keyring. */
export function countingKeyring(inner: Keyring): Keyring & { readonly unwraps: () => number } {
  let unwraps = 0;
  return {
    description: inner.description,
    wrap: (request: WrapRequest) => inner.wrap(request),
    unwrap: (request: UnwrapRequest) => {
      unwraps++;
      return inner.unwrap(request);
    },
    unwraps: () => unwraps,
  };
}
