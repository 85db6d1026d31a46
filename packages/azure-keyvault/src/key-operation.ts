import type { CryptographyClient } from '@azure/keyvault-keys';
import { zeroize } from '@polykms/envelope/driver';

/** The two wrapping algorithms polykms uses: RSA keys and Managed HSM AES keys. */
export type WrapAlgorithm = 'RSA-OAEP-256' | 'A256KW';

export interface KeyOperationResult {
  readonly result: Uint8Array;
  /** The key id (with version) the vault says it used; undefined when the answer carried none. */
  readonly kid: string | undefined;
}

/**
 * wrapKey / unwrapKey through the official client, plus the `kid` of the vault's answer: the
 * client's own result reports the id it was built with, not what the vault used, so the answer
 * is read as it arrives. If the caller gave up meanwhile, a late result is zeroed.
 */
export async function keyOperation(
  client: CryptographyClient,
  operation: 'wrapKey' | 'unwrapKey',
  algorithm: WrapAlgorithm,
  value: Uint8Array,
  signal: AbortSignal,
): Promise<KeyOperationResult> {
  let kid: string | undefined;
  const options = {
    abortSignal: signal,
    onResponse: (response: { status: number; request: { url: string }; parsedBody?: unknown }) => {
      if (response.status !== 200) return;
      const path = new URL(response.request.url).pathname.toLowerCase();
      if (!path.endsWith(`/${operation.toLowerCase()}`)) return;
      const body = response.parsedBody as { kid?: unknown } | undefined;
      kid = typeof body?.kid === 'string' ? body.kid : undefined;
    },
  };
  const { result } =
    operation === 'wrapKey'
      ? await client.wrapKey(algorithm, value, options)
      : await client.unwrapKey(algorithm, value, options);
  if (signal.aborted) {
    zeroize(result);
    throw signal.reason;
  }
  return { result, kid };
}

/**
 * The algorithm an EDK was wrapped with, told by its length (the EDK names only the key): A256KW
 * of a 16-32 byte key gives 24-40 bytes, RSA-OAEP-256 gives the 256-512 byte modulus length.
 */
export function unwrapAlgorithmFor(ciphertextLength: number): WrapAlgorithm | undefined {
  if (ciphertextLength >= 24 && ciphertextLength <= 40 && ciphertextLength % 8 === 0) return 'A256KW';
  if (ciphertextLength >= 256 && ciphertextLength <= 512) return 'RSA-OAEP-256';
  return undefined;
}
