import type { KMSClient } from '@aws-sdk/client-kms';
import {
  type EncryptedDataKey,
  type UnwrapRequest,
  type UnwrapResult,
  providerInfoText,
  unwrapFirstWithKey,
} from '@polykms/envelope';
import { type AwsKmsArn, MAX_ARN_LENGTH, parseKeyArn } from './arn.js';
import { decryptEdk } from './decrypt-edk.js';
import { PROVIDER_ID } from './provider.js';

/** The ARN an `aws-kms` EDK names, or undefined when the EDK is not one or names no key ARN. */
export function edkKeyArn(edk: EncryptedDataKey): AwsKmsArn | undefined {
  if (edk.providerId !== PROVIDER_ID) return undefined;
  const text = providerInfoText(edk.providerInfo, MAX_ARN_LENGTH);
  return text === undefined ? undefined : parseKeyArn(text);
}

export interface AwsUnwrapOptions {
  /** The client for a key the EDK names; called only when that EDK is about to be decrypted. */
  readonly clientFor: (arn: AwsKmsArn) => KMSClient;
  readonly grantTokens: readonly string[] | undefined;
  readonly timeoutMs: number | undefined;
}

/**
 * The unwrap of both AWS keyrings: each `aws-kms` EDK whose key ARN `accepts` passes is sent (in
 * message order) to KMS Decrypt naming exactly that key, until one opens. They differ only in
 * which ARNs they accept and which client they use.
 */
export function unwrapMatching(
  request: UnwrapRequest,
  options: AwsUnwrapOptions,
  accepts: (arn: AwsKmsArn) => boolean,
): Promise<UnwrapResult | null> {
  return unwrapFirstWithKey(
    request.encryptedDataKeys,
    (edk) => {
      const arn = edkKeyArn(edk);
      return arn !== undefined && accepts(arn) ? arn : undefined;
    },
    (edk, arn) =>
      decryptEdk({
        client: options.clientFor(arn),
        keyArn: arn.arn,
        edk,
        suite: request.suite,
        encryptionContext: request.encryptionContext,
        grantTokens: options.grantTokens,
        timeoutMs: options.timeoutMs,
        signal: request.signal,
      }),
    (arn) => `${PROVIDER_ID} ${arn.arn}`,
  );
}
