import type { KMSClient } from '@aws-sdk/client-kms';
import { InvalidArgumentError, KmsKeyring } from '@polykms/envelope/driver';
import { MAX_ARN_LENGTH, mrkMatch, parseAwsKmsArn } from './arn.js';
import { type ClientProvider, defaultClientProvider } from './client-provider.js';
import { type AwsKmsKey, AwsKmsDriver } from './driver.js';
import { PROVIDER_ID } from './provider.js';

export interface AwsKmsKeyringOptions {
  /**
   * The KMS key. A key ARN works for encrypt and decrypt. A key id, alias name or alias ARN works
   * for encrypt only: decrypting must name the exact key, so it needs the key ARN.
   */
  readonly keyId: string;
  /** The client to use. Default: one from `clientProvider` for the ARN's region. */
  readonly client?: KMSClient | undefined;
  /** Clients per region. Default: SDK default credential chain, one client per region. */
  readonly clientProvider?: ClientProvider | undefined;
  readonly grantTokens?: readonly string[] | undefined;
  /** Deadline for each KMS call, in milliseconds (on top of the SDK's own retries). */
  readonly timeoutMs?: number | undefined;
}

/** Shared with AwsKmsDiscoveryKeyring: KMS accepts at most 10 grant tokens per request. */
export function checkGrantTokens(grantTokens: readonly string[] | undefined): void {
  if (grantTokens === undefined) return;
  if (
    !Array.isArray(grantTokens) ||
    grantTokens.length > 10 ||
    grantTokens.some((t) => typeof t !== 'string')
  ) {
    throw new InvalidArgumentError('grantTokens must be an array of at most 10 strings', {
      provider: PROVIDER_ID,
    });
  }
}

/**
 * The KmsKeyring options of a strict keyring. `multiRegion`: also open EDKs of the configured
 * multi-Region key's replicas in other regions, with the configured key (AwsKmsMrkKeyring).
 */
export function strictKeyringOptions(options: AwsKmsKeyringOptions, multiRegion: boolean) {
  const { keyId } = options ?? {};
  if (typeof keyId !== 'string' || keyId.length === 0 || keyId.length > MAX_ARN_LENGTH) {
    throw new InvalidArgumentError(
      'AwsKmsKeyring needs keyId: a KMS key ARN (or, for encrypt only, an alias)',
      {
        provider: PROVIDER_ID,
      },
    );
  }
  checkGrantTokens(options.grantTokens);
  const arn = parseAwsKmsArn(keyId);
  // Judged as key URIs judge it: something that claims to be an ARN must be a valid one.
  if (arn === undefined && keyId.startsWith('arn:')) {
    throw new InvalidArgumentError(
      `AwsKmsKeyring: ${keyId} is not a KMS key or alias ARN (arn:<partition>:kms:<region>:<12-digit account>:key/<id>)`,
      { provider: PROVIDER_ID, keyId },
    );
  }
  let client = options.client;
  if (client === undefined && arn === undefined) {
    throw new InvalidArgumentError(
      `AwsKmsKeyring: ${keyId} names no region; pass a key or alias ARN, or an explicit client`,
      { provider: PROVIDER_ID, keyId },
    );
  }
  client ??= (options.clientProvider ?? defaultClientProvider())(arn!.region);
  const fixed = client;
  /** Set when `keyId` is a key ARN: the only key whose EDKs this keyring opens. */
  const keyArn = arn?.resourceType === 'key' ? arn : undefined;
  const driver = new AwsKmsDriver({ clientFor: () => fixed, grantTokens: options.grantTokens });
  const configured = keyArn && driver.keyOf(keyArn.arn);
  return {
    driver,
    timeoutMs: options.timeoutMs,
    policy: {
      mode: 'strict' as const,
      keyId,
      // An alias may point at any key; the EDK then names the key ARN KMS reports.
      sealedWith: (key: AwsKmsKey) => keyArn === undefined || key.arn === keyArn.arn,
      opens: (key: AwsKmsKey) =>
        keyArn !== undefined && (multiRegion ? mrkMatch(key, keyArn) : key.arn === keyArn.arn),
      // A replica's EDK is opened by the configured key in the configured region, never by
      // calling the region the EDK names; KMS must then answer for the configured key.
      openWith: multiRegion ? (key: AwsKmsKey) => configured ?? key : undefined,
      cannotOpen:
        keyArn === undefined
          ? `AwsKmsKeyring: decrypting needs the key ARN, not ${keyId}; use the key's ARN (or AwsKmsDiscoveryKeyring)`
          : undefined,
    },
  };
}

/**
 * A keyring for one AWS KMS key (combine several with the envelope's MultiKeyring). As generator it
 * calls GenerateDataKey, otherwise Encrypt; the EDK names the key ARN KMS reports. It decrypts only
 * EDKs of its own key ARN (strict mode), asking KMS for exactly that key and checking the answer.
 */
export class AwsKmsKeyring extends KmsKeyring<AwsKmsKey> {
  constructor(options: AwsKmsKeyringOptions) {
    super(strictKeyringOptions(options, false));
  }
}
