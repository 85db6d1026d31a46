import { type KeyObject, createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import {
  DecryptionFailedError,
  type EncryptedDataKey,
  type EncryptionContext,
  InvalidArgumentError,
  type Keyring,
  MalformedMessageError,
  type UnwrapRequest,
  type UnwrapResult,
  type WrapRequest,
  type WrapResult,
  serializeEncryptionContext,
  zeroize,
} from '@polykms/envelope';
import { sealGivenOrNewDataKey, unwrapFirst } from '@polykms/envelope/driver';
import {
  AES_INFO_SUFFIX_BYTES,
  AES_IV_BYTES,
  AES_TAG_BYTES,
  namesAesKey,
  readAesIv,
  writeAesProviderInfo,
} from './aes-provider-info.js';
import { checkKeyIdentity } from './key-identity.js';
import { serializeContextInLocaleOrder } from './legacy-context-order.js';

export interface RawAesKeyringOptions {
  /** Written as the EDK's provider id. Must not start with `aws-kms`. */
  readonly keyNamespace: string;
  /** Written at the start of the EDK's provider info. */
  readonly keyName: string;
  /** 16, 24 or 32 bytes (AES-128/192/256-GCM). Copied; the caller keeps ownership of its buffer. */
  readonly wrappingKey: Uint8Array;
}

type GcmCipher = 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm';

const ciphersByKeyLength: Readonly<Record<number, GcmCipher>> = {
  16: 'aes-128-gcm',
  24: 'aes-192-gcm',
  32: 'aes-256-gcm',
};

/** The context as AAD, and in the legacy order when that differs (see #open). */
interface ContextAads {
  readonly aad: Uint8Array;
  readonly legacyAad: Uint8Array | undefined;
}

function contextAads(context: EncryptionContext): ContextAads {
  const aad = serializeEncryptionContext(context);
  const legacyAad = serializeContextInLocaleOrder(context);
  return { aad, legacyAad: legacyAad.equals(aad) ? undefined : legacyAad };
}

/**
 * Wraps data keys with a local AES-GCM key, producing EDKs that every AWS Encryption SDK's raw
 * AES keyring with the same namespace, name and key can open (and opening theirs). The whole
 * encryption context is the AAD of the wrap, so the EDK only opens under the same context.
 */
export class RawAesKeyring implements Keyring {
  readonly description: string;
  readonly keyNamespace: string;
  readonly keyName: string;
  readonly #name: Buffer;
  readonly #cipher: GcmCipher;
  readonly #key: KeyObject;

  constructor(options: RawAesKeyringOptions) {
    this.#name = checkKeyIdentity('RawAesKeyring', options, AES_INFO_SUFFIX_BYTES);
    const { wrappingKey } = options;
    if (!(wrappingKey instanceof Uint8Array)) {
      throw new InvalidArgumentError('RawAesKeyring: wrappingKey must be a Uint8Array of 16, 24 or 32 bytes');
    }
    const cipher = ciphersByKeyLength[wrappingKey.length];
    if (cipher === undefined) {
      throw new InvalidArgumentError(
        `RawAesKeyring: wrappingKey is ${wrappingKey.length} bytes; it must be 16, 24 or 32 bytes`,
      );
    }
    this.keyNamespace = options.keyNamespace;
    this.keyName = options.keyName;
    this.#cipher = cipher;
    const copy = Buffer.from(wrappingKey);
    this.#key = createSecretKey(copy);
    zeroize(copy);
    this.description = `raw-aes ${this.keyNamespace}/${this.keyName}`;
  }

  async wrap(request: WrapRequest): Promise<WrapResult> {
    return sealGivenOrNewDataKey(request, (dataKey) => {
      const iv = randomBytes(AES_IV_BYTES);
      const cipher = createCipheriv(this.#cipher, this.#key, iv, { authTagLength: AES_TAG_BYTES });
      cipher.setAAD(serializeEncryptionContext(request.encryptionContext));
      const ciphertext = Buffer.concat([cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
      return {
        providerId: this.keyNamespace,
        providerInfo: writeAesProviderInfo(this.#name, iv),
        ciphertext,
      };
    });
  }

  /**
   * Whether a header's EDK names this key (namespace, then the name followed by the AES layout),
   * decided as `unwrap` decides it and without opening anything: what tools use to find this
   * key's recipient in a header.
   */
  namesEncryptedDataKey(edk: EncryptedDataKey): boolean {
    return edk.providerId === this.keyNamespace && namesAesKey(edk.providerInfo, this.#name);
  }

  async unwrap(request: UnwrapRequest): Promise<UnwrapResult | null> {
    // Ours is decided on namespace and name only (as in the ESDK): an EDK that names this key but
    // has the wrong shape is a damaged EDK of ours, and fails with a typed error, not null.
    // The context is the AAD of every EDK: serialized once per message, not once per EDK, so a
    // message with many EDKs naming this key and a large context costs one serialization.
    let aads: ContextAads | undefined;
    const aadsOf = (): ContextAads => {
      aads ??= contextAads(request.encryptionContext);
      return aads;
    };
    return unwrapFirst(
      request.encryptedDataKeys,
      (edk) => this.namesEncryptedDataKey(edk),
      async (edk) => this.#open(edk, aadsOf(), request.suite.keyLength),
      () => this.description,
    );
  }

  #open(edk: EncryptedDataKey, aads: ContextAads, keyLength: number): Uint8Array {
    const iv = readAesIv(edk.providerInfo, this.#name);
    if (iv === undefined) {
      throw new MalformedMessageError(
        `the ${this.description} EDK's provider info is ${edk.providerInfo.length} bytes; expected ${this.#name.length + AES_INFO_SUFFIX_BYTES}`,
        { provider: this.keyNamespace, keyId: this.keyName },
      );
    }
    const expectedLength = keyLength + AES_TAG_BYTES;
    if (edk.ciphertext.length !== expectedLength) {
      throw new MalformedMessageError(
        `the ${this.description} EDK's ciphertext is ${edk.ciphertext.length} bytes; expected ${expectedLength}`,
        { provider: this.keyNamespace, keyId: this.keyName },
      );
    }
    const opened = this.#tryOpen(edk, iv, aads.aad);
    if (opened) return opened;
    // EDKs written by the JavaScript ESDK's RawAesKeyringNode without `utf8Sorting` bind the
    // context in localeCompare order. Retry once under that order when it is a different one.
    if (aads.legacyAad) {
      const legacy = this.#tryOpen(edk, iv, aads.legacyAad);
      if (legacy) return legacy;
    }
    throw new DecryptionFailedError({ provider: this.keyNamespace, keyId: this.keyName });
  }

  /** The data key, or `undefined` when the tag does not verify. */
  #tryOpen(edk: EncryptedDataKey, iv: Uint8Array, aad: Uint8Array): Buffer | undefined {
    const sealed = edk.ciphertext;
    const split = sealed.length - AES_TAG_BYTES;
    const decipher = createDecipheriv(this.#cipher, this.#key, iv, { authTagLength: AES_TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(split));
    const head = decipher.update(sealed.subarray(0, split));
    try {
      const tail = decipher.final();
      const dataKey = Buffer.concat([head, tail]);
      zeroize(head);
      return dataKey;
    } catch {
      zeroize(head);
      return undefined;
    }
  }
}
