import { type KeyObject, createCipheriv, createDecipheriv, createSecretKey } from 'node:crypto';
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
import { publicRandomBytes, sealGivenOrNewDataKey, unwrapFirst } from '@polykms/envelope/driver';
import { type Keyset, contentOf } from './keyset.js';
import {
  EDK_IV_BYTES,
  EDK_SALT_BYTES,
  EDK_TAG_BYTES,
  KEYSET_PROVIDER_ID,
  type KeysetEdkInfo,
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
      const random = publicRandomBytes(EDK_SALT_BYTES + EDK_IV_BYTES);
      const info = {
        keysetId: this.#keysetId,
        version: primary.version,
        salt: random.subarray(0, EDK_SALT_BYTES),
        iv: random.subarray(EDK_SALT_BYTES),
      };
      const providerInfo = writeEdkProviderInfo(info);
      const cipher = createCipheriv('aes-256-gcm', wrappingKeyObject(primary.key, info), info.iv, {
        authTagLength: EDK_TAG_BYTES,
      });
      cipher.setAAD(edkAad(providerInfo, request.encryptionContext));
      const ciphertext = Buffer.concat([cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
      return { providerId: KEYSET_PROVIDER_ID, providerInfo, ciphertext };
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
    const split = edk.ciphertext.length - EDK_TAG_BYTES;
    const decipher = createDecipheriv('aes-256-gcm', wrappingKeyObject(version.key, info), info.iv, {
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
  }
}

/**
 * The one-EDK wrapping key as a KeyObject, its bytes zeroed at once: AES-GCM set up from a Buffer
 * key costs ~20 µs on Node 24 (the key is converted on every call), from a KeyObject ~4. The
 * KeyObject lives until it is collected, like the message key of every encryption (node:crypto
 * clears a secret key's memory when it frees it); it only ever wraps or opens this one EDK.
 */
function wrappingKeyObject(versionKey: Uint8Array, info: KeysetEdkInfo): KeyObject {
  const bytes = deriveWrappingKey(versionKey, info);
  try {
    return createSecretKey(bytes);
  } finally {
    bytes.fill(0);
  }
}
