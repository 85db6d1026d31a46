import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  DecryptionFailedError,
  type EncryptedDataKey,
  type Keyring,
  KeysetError,
  MalformedMessageError,
  type UnwrapRequest,
  type UnwrapResult,
  type WrapRequest,
  type WrapResult,
} from '@polykms/envelope';
import { sealGivenOrNewDataKey, unwrapFirst } from '@polykms/envelope/driver';
import { type Keyset, contentOf } from './keyset.js';
import {
  EDK_IV_BYTES,
  EDK_SALT_BYTES,
  EDK_TAG_BYTES,
  KEYSET_PROVIDER_ID,
  deriveWrappingKey,
  edkAad,
  isKeysetEncryptedDataKey,
  readEdkProviderInfo,
  writeEdkProviderInfo,
} from './keyset-edk.js';

/**
 * Wraps each message's data key under the keyset's primary version, locally: no KMS call per
 * message. Unwraps EDKs of this keyset under any version it holds (retired ones too).
 *
 * Why (key, IV) never repeats: each EDK gets a fresh 256-bit random salt and its own AES-256 key
 * derived from the version key and that salt (HKDF), used for that one encryption only. A repeat
 * needs two EDKs under one version with the same salt: after 2^48 wraps the chance is below
 * 2^-160, whatever the copies of the keyset, retries, rewrites or concurrent writers, since
 * nothing but the CSPRNG chooses the salt. The random IV is belt and braces.
 */
export class KeysetKeyring implements Keyring {
  readonly description: string;
  readonly #keyset: Keyset;
  readonly #keysetId: Buffer;

  /** The keyset must stay open while the keyring is used; after `close()` it throws ERR_KEYSET_CLOSED. */
  constructor(keyset: Keyset) {
    this.#keyset = keyset;
    this.#keysetId = Buffer.from(keyset.keysetId, 'hex');
    this.description = `${KEYSET_PROVIDER_ID} ${keyset.keysetId}`;
  }

  async wrap(request: WrapRequest): Promise<WrapResult> {
    const { versions } = contentOf(this.#keyset);
    const primary = versions.find((v) => v.state === 'primary');
    if (!primary) throw new KeysetError('ERR_KEY_VERSION_NOT_FOUND', 'the keyset has no primary version');
    return sealGivenOrNewDataKey(request, (dataKey) => {
      const info = {
        keysetId: this.#keysetId,
        version: primary.version,
        salt: randomBytes(EDK_SALT_BYTES),
        iv: randomBytes(EDK_IV_BYTES),
      };
      const providerInfo = writeEdkProviderInfo(info);
      const wrappingKey = deriveWrappingKey(primary.key, info);
      try {
        const cipher = createCipheriv('aes-256-gcm', wrappingKey, info.iv, { authTagLength: EDK_TAG_BYTES });
        cipher.setAAD(edkAad(providerInfo, request.encryptionContext));
        const ciphertext = Buffer.concat([cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
        return { providerId: KEYSET_PROVIDER_ID, providerInfo, ciphertext };
      } finally {
        wrappingKey.fill(0);
      }
    });
  }

  async unwrap(request: UnwrapRequest): Promise<UnwrapResult | null> {
    contentOf(this.#keyset); // a closed keyset fails here, not as "no EDK of mine"
    return unwrapFirst(
      request.encryptedDataKeys,
      (edk) => isKeysetEncryptedDataKey(edk, this.#keysetId),
      async (edk) => this.#open(edk, request),
      () => this.description,
    );
  }

  #open(edk: EncryptedDataKey, request: UnwrapRequest): Buffer {
    const info = readEdkProviderInfo(edk.providerInfo);
    const expectedLength = request.suite.keyLength + EDK_TAG_BYTES;
    if (info === undefined || edk.ciphertext.length !== expectedLength) {
      throw new MalformedMessageError(`a ${this.description} EDK has the wrong length or layout`, {
        provider: KEYSET_PROVIDER_ID,
        keyId: this.#keyset.keysetId,
      });
    }
    const version = contentOf(this.#keyset).versions.find((v) => v.version === info.version);
    if (!version) {
      throw new KeysetError(
        'ERR_KEY_VERSION_NOT_FOUND',
        `keyset ${this.#keyset.keysetId} (generation ${this.#keyset.generation}) has no version ${info.version}: open a newer generation`,
        { provider: KEYSET_PROVIDER_ID, keyId: this.#keyset.keysetId },
      );
    }
    const wrappingKey = deriveWrappingKey(version.key, info);
    const split = edk.ciphertext.length - EDK_TAG_BYTES;
    try {
      const decipher = createDecipheriv('aes-256-gcm', wrappingKey, info.iv, {
        authTagLength: EDK_TAG_BYTES,
      });
      decipher.setAAD(edkAad(edk.providerInfo, request.encryptionContext));
      decipher.setAuthTag(edk.ciphertext.subarray(split));
      // GCM releases the whole data key from update(); it is wiped unless final() authenticates it.
      const opened = decipher.update(edk.ciphertext.subarray(0, split));
      try {
        decipher.final();
      } catch {
        opened.fill(0);
        throw new DecryptionFailedError({ provider: KEYSET_PROVIDER_ID, keyId: this.#keyset.keysetId });
      }
      return opened;
    } finally {
      wrappingKey.fill(0);
    }
  }
}
