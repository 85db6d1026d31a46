import { MalformedMessageError } from '../errors.js';
import { type HeaderLimits, parseHeader } from '../format/header.js';
import { utf8DecodeStrict } from '../format/utf8.js';

export interface EncryptedDataKeyInfo {
  readonly providerId: string;
  /** UTF-8 text when the provider info is text (KMS key ids), else `base64:` + base64. */
  readonly providerInfo: string;
  readonly ciphertextLength: number;
}

/** Header facts that need no key. */
export interface MessageInfo {
  readonly version: 1 | 2;
  readonly suiteId: number;
  readonly suiteName: string;
  readonly committing: boolean;
  readonly signed: boolean;
  /** Hex. */
  readonly messageId: string;
  readonly encryptionContext: Readonly<Record<string, string>>;
  readonly encryptedDataKeys: readonly EncryptedDataKeyInfo[];
  readonly contentType: 'framed' | 'non-framed';
  readonly frameLength: number;
  readonly headerLength: number;
  /** Bytes after the header (body and footer), as far as the given bytes go. */
  readonly bodyLength: number;
}

function describeProviderInfo(info: Uint8Array): string {
  try {
    const text = utf8DecodeStrict(info);
    // Control characters mean binary (raw AES provider info carries a length and an IV).
    if (![...text].some((c) => c.charCodeAt(0) < 0x20)) return text;
  } catch {}
  return `base64:${Buffer.from(info).toString('base64')}`;
}

/** Reads what a header says without any key. Nothing is authenticated: treat it as a claim. */
export function inspect(message: Uint8Array, limits: HeaderLimits = {}): MessageInfo {
  if (!(message instanceof Uint8Array)) throw new MalformedMessageError('the message must be bytes');
  const header = parseHeader(message, limits);
  return {
    version: header.version,
    suiteId: header.suite.id,
    suiteName: header.suite.name,
    committing: header.suite.committing,
    signed: header.suite.signature !== undefined,
    messageId: Buffer.from(header.messageId).toString('hex'),
    encryptionContext: header.encryptionContext,
    encryptedDataKeys: header.encryptedDataKeys.map((edk) => ({
      providerId: edk.providerId,
      providerInfo: describeProviderInfo(edk.providerInfo),
      ciphertextLength: edk.ciphertext.length,
    })),
    contentType: header.contentType,
    frameLength: header.frameLength,
    headerLength: header.length,
    bodyLength: message.length - header.length,
  };
}
