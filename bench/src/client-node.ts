import {
  AlgorithmSuiteIdentifier,
  CommitmentPolicy,
  NodeCachingMaterialsManager,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
  buildClient,
  getLocalCryptographicMaterialsCache,
} from '@aws-crypto/client-node';
import { NAME, NAMESPACE, WRAPPING_KEY } from './keyrings.js';

/** client-node configured for the same work as ours: suite 0x0478, same frame length and key. */
export const aws = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
export const AWS_SUITE = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;

export function awsCachingManager(maxAgeMs: number): NodeCachingMaterialsManager {
  return new NodeCachingMaterialsManager({
    backingMaterials: awsKeyring(),
    cache: getLocalCryptographicMaterialsCache(1000),
    maxAge: maxAgeMs,
    maxMessagesEncrypted: 2 ** 32,
    maxBytesEncrypted: Number.MAX_SAFE_INTEGER,
  });
}

export function awsKeyring(): RawAesKeyringNode {
  return new RawAesKeyringNode({
    keyNamespace: NAMESPACE,
    keyName: NAME,
    unencryptedMasterKey: new Uint8Array(WRAPPING_KEY),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
}
