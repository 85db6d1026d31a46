import { randomBytes } from 'node:crypto';
import { type EncryptedDataKey, type WrapRequest, type WrapResult, zeroize } from '@polykms/envelope';

/**
 * The wrap step every local keyring shares: use the request's data key, or create one when this
 * keyring is the generator, seal it into one EDK, and zero a created key if sealing fails.
 */
export function wrapOne(request: WrapRequest, seal: (dataKey: Uint8Array) => EncryptedDataKey): WrapResult {
  const generated = request.dataKey === undefined ? randomBytes(request.suite.keyLength) : undefined;
  try {
    const edk = seal(request.dataKey ?? (generated as Buffer));
    return { dataKey: generated, encryptedDataKeys: [edk] };
  } catch (error) {
    zeroize(generated);
    throw error;
  }
}
