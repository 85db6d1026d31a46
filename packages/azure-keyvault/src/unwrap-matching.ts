import { type UnwrapRequest, type UnwrapResult, unwrapFirstWithKey } from '@polykms/envelope';
import type { AzureClients } from './clients.js';
import { PROVIDER_ID } from './error-table.js';
import type { AzureKeyId } from './key-id.js';
import { edkKeyId, openEdk } from './open-edk.js';

export interface AzureUnwrapOptions {
  readonly clients: AzureClients;
  readonly timeoutMs: number | undefined;
}

/**
 * The unwrap of both Azure keyrings: each `azure-kv` EDK whose versioned key id `accepts`
 * passes is opened (in message order) with that key version, until one opens. They differ only
 * in which key ids they accept.
 */
export function unwrapMatching(
  request: UnwrapRequest,
  options: AzureUnwrapOptions,
  accepts: (keyId: AzureKeyId) => boolean,
): Promise<UnwrapResult | null> {
  const open = {
    clients: options.clients,
    suite: request.suite,
    signal: request.signal,
    timeoutMs: options.timeoutMs,
  };
  return unwrapFirstWithKey(
    request.encryptedDataKeys,
    (edk) => {
      const id = edkKeyId(edk);
      return id !== undefined && accepts(id) ? id : undefined;
    },
    (edk, id) => openEdk(open, edk, id),
    (id) => `${PROVIDER_ID} ${id.text}`,
  );
}
