import { type EncryptedDataKey, type UnwrapRequest, type UnwrapResult, unwrapFirst } from '@polykms/envelope';
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
  const ids = new Map<EncryptedDataKey, AzureKeyId>();
  for (const edk of request.encryptedDataKeys) {
    const id = edkKeyId(edk);
    if (id !== undefined && accepts(id)) ids.set(edk, id);
  }
  const open = {
    clients: options.clients,
    suite: request.suite,
    signal: request.signal,
    timeoutMs: options.timeoutMs,
  };
  return unwrapFirst(
    request.encryptedDataKeys,
    (edk) => ids.has(edk),
    (edk) => openEdk(open, edk, ids.get(edk) as AzureKeyId),
    (edk) => `${PROVIDER_ID} ${ids.get(edk)?.text ?? '(unknown key)'}`,
  );
}
