import { randomBytes } from 'node:crypto';
import {
  type AlgorithmSuite,
  type EncryptedDataKey,
  type EncryptionContext,
  type Keyring,
  Suites,
  wrapDataKey,
} from '@polykms/envelope';

export const suite: AlgorithmSuite = Suites.AES_256_GCM_HKDF_SHA512_COMMIT_KEY;

/** Non-ASCII and mixed case on purpose: providers must bind the context byte for byte. */
export const context: EncryptionContext = Object.freeze({
  tenant: 'acme',
  Purpose: 'conformance',
  clé: 'välue',
});

export const otherContext: EncryptionContext = Object.freeze({ ...context, tenant: 'globex' });

export interface Wrapped {
  readonly dataKey: Uint8Array;
  readonly edk: EncryptedDataKey;
}

/** Wraps a fresh random data key under `keyring` (wrap-existing, so the suite knows the key). */
export async function wrapFresh(
  keyring: Keyring,
  encryptionContext: EncryptionContext = context,
  forSuite: AlgorithmSuite = suite,
): Promise<Wrapped> {
  const dataKey = randomBytes(forSuite.keyLength);
  const result = await wrapDataKey(keyring, { suite: forSuite, encryptionContext, dataKey });
  const edk = result.encryptedDataKeys[0];
  if (!edk) throw new Error('wrapDataKey returned no EDK');
  return { dataKey, edk };
}

/** An EDK of another provider, shaped like a real one. */
export function foreignEdk(providerId: string): EncryptedDataKey {
  return { providerId, providerInfo: randomBytes(40), ciphertext: randomBytes(184) };
}
