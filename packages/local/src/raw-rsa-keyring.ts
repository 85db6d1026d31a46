import {
  type KeyObject,
  createPrivateKey,
  createPublicKey,
  privateDecrypt,
  publicEncrypt,
} from 'node:crypto';
import {
  DecryptionFailedError,
  type EncryptedDataKey,
  InvalidArgumentError,
  type Keyring,
  NoDecryptableKeyError,
  type RecipientFailure,
  type UnwrapRequest,
  type UnwrapResult,
  UnsupportedError,
  type WrapRequest,
  type WrapResult,
  zeroize,
} from '@polykms/envelope';
import { sealGivenOrNewDataKey } from '@polykms/envelope/driver';
import { checkKeyIdentity } from './key-identity.js';
import { RSA_PADDINGS, type RsaPadding, isPkcs1DecryptRefusal, rsaPaddingOptions } from './rsa-padding.js';

export interface RawRsaKeyringOptions {
  /** Written as the EDK's provider id. Must not start with `aws-kms`. */
  readonly keyNamespace: string;
  /** Written as the EDK's provider info. */
  readonly keyName: string;
  /** Needed to encrypt; derived from `privateKey` when absent. A KeyObject or PEM (SPKI or PKCS#1). */
  readonly publicKey?: KeyObject | string | undefined;
  /** Needed to decrypt. A KeyObject or PEM (PKCS#8 or PKCS#1). Without it the keyring only encrypts. */
  readonly privateKey?: KeyObject | string | undefined;
  readonly padding: RsaPadding;
}

/**
 * Below 2048 bits RSA is within reach of a determined attacker (NIST SP 800-131A disallows it),
 * and a wrapped data key is only as strong as the key wrapping it. Applied to private keys too:
 * a keyring holding one also encrypts with its public half.
 */
export const MIN_RSA_MODULUS_BITS = 2048;

function asRsaKey(kind: 'public' | 'private', key: KeyObject | string): KeyObject {
  let object: KeyObject;
  try {
    if (typeof key === 'string') object = kind === 'public' ? createPublicKey(key) : createPrivateKey(key);
    else object = key;
  } catch {
    // The parser's message may quote the input, which is key material: say only what failed.
    throw new InvalidArgumentError(`RawRsaKeyring: ${kind}Key is not a valid PEM-encoded RSA ${kind} key`);
  }
  if (typeof object !== 'object' || object === null || object.type !== kind) {
    throw new InvalidArgumentError(`RawRsaKeyring: ${kind}Key must be an RSA ${kind} key`);
  }
  if (object.asymmetricKeyType !== 'rsa') {
    throw new InvalidArgumentError(
      `RawRsaKeyring: ${kind}Key is a ${object.asymmetricKeyType ?? 'unknown'} key; it must be RSA`,
    );
  }
  const bits = object.asymmetricKeyDetails?.modulusLength;
  if (bits === undefined || bits < MIN_RSA_MODULUS_BITS) {
    throw new InvalidArgumentError(
      `RawRsaKeyring: ${kind}Key has a ${bits ?? 'unknown'}-bit modulus; RSA keys must have at least ` +
        `${MIN_RSA_MODULUS_BITS} bits (make a new key of 3072 bits and rewrap your messages under it)`,
    );
  }
  return object;
}

/**
 * Wraps data keys with a local RSA key, producing EDKs that every AWS Encryption SDK's raw RSA
 * keyring with the same namespace, name, key and padding can open (and opening theirs). As in
 * the ESDK, the encryption context is not bound to the EDK (the header tag binds it).
 */
export class RawRsaKeyring implements Keyring {
  readonly description: string;
  readonly keyNamespace: string;
  readonly keyName: string;
  readonly padding: RsaPadding;
  readonly #publicKey: KeyObject;
  readonly #privateKey: KeyObject | undefined;

  constructor(options: RawRsaKeyringOptions) {
    checkKeyIdentity('RawRsaKeyring', options);
    if (!RSA_PADDINGS.includes(options.padding)) {
      throw new InvalidArgumentError(`RawRsaKeyring: padding must be one of ${RSA_PADDINGS.join(', ')}`);
    }
    if (options.publicKey === undefined && options.privateKey === undefined) {
      throw new InvalidArgumentError('RawRsaKeyring: give a publicKey (to encrypt), a privateKey, or both');
    }
    this.#privateKey = options.privateKey === undefined ? undefined : asRsaKey('private', options.privateKey);
    this.#publicKey =
      options.publicKey === undefined
        ? createPublicKey(this.#privateKey as KeyObject)
        : asRsaKey('public', options.publicKey);
    if (
      this.#privateKey &&
      !createPublicKey(this.#privateKey)
        .export({ format: 'der', type: 'spki' })
        .equals(this.#publicKey.export({ format: 'der', type: 'spki' }))
    ) {
      throw new InvalidArgumentError('RawRsaKeyring: publicKey and privateKey are not one key pair');
    }
    this.keyNamespace = options.keyNamespace;
    this.keyName = options.keyName;
    this.padding = options.padding;
    this.description = `raw-rsa ${this.keyNamespace}/${this.keyName}`;
  }

  /** False for an encrypt-only keyring (no private key). */
  get canDecrypt(): boolean {
    return this.#privateKey !== undefined;
  }

  async wrap(request: WrapRequest): Promise<WrapResult> {
    return sealGivenOrNewDataKey(request, (dataKey) => ({
      providerId: this.keyNamespace,
      providerInfo: Buffer.from(this.keyName, 'utf8'),
      ciphertext: publicEncrypt({ key: this.#publicKey, ...rsaPaddingOptions(this.padding) }, dataKey),
    }));
  }

  async unwrap(request: UnwrapRequest): Promise<UnwrapResult | null> {
    const mine = request.encryptedDataKeys.filter((edk) => this.namesEncryptedDataKey(edk));
    if (mine.length === 0) return null;
    const privateKey = this.#privateKey;
    if (privateKey === undefined) {
      throw new InvalidArgumentError(
        `${this.description} has no private key, so it can only encrypt; give it privateKey to decrypt`,
        { provider: this.keyNamespace, keyId: this.keyName },
      );
    }
    const failures: RecipientFailure[] = [];
    for (const edk of mine) {
      const dataKey = this.#open(privateKey, edk);
      // With PKCS#1 v1.5 and implicit rejection a wrong key yields random bytes, not an error.
      if (dataKey !== undefined && dataKey.length === request.suite.keyLength) {
        return { dataKey, encryptedDataKey: edk };
      }
      zeroize(dataKey);
      failures.push({
        recipient: this.description,
        error: new DecryptionFailedError({ provider: this.keyNamespace, keyId: this.keyName }),
      });
    }
    throw new NoDecryptableKeyError(failures);
  }

  /**
   * Whether a header's EDK names this key (namespace and exactly the name), decided as `unwrap`
   * decides it and without opening anything: what tools use to find this key's recipient.
   */
  namesEncryptedDataKey(edk: EncryptedDataKey): boolean {
    return (
      edk.providerId === this.keyNamespace &&
      Buffer.from(edk.providerInfo.buffer, edk.providerInfo.byteOffset, edk.providerInfo.length).equals(
        Buffer.from(this.keyName, 'utf8'),
      )
    );
  }

  /** The decrypted bytes, or `undefined` when RSA decryption failed. */
  #open(privateKey: KeyObject, edk: EncryptedDataKey): Buffer | undefined {
    try {
      return privateDecrypt({ key: privateKey, ...rsaPaddingOptions(this.padding) }, edk.ciphertext);
    } catch (error) {
      if (this.padding === 'pkcs1' && isPkcs1DecryptRefusal(error)) {
        throw new UnsupportedError(
          'this Node.js refuses RSA PKCS#1 v1.5 decryption (CVE-2023-46809): run a Node that allows it ' +
            '(one whose OpenSSL does implicit rejection, or an older one started with ' +
            '--security-revert=CVE-2023-46809) to read these messages, and rewrap them with OAEP',
          { provider: this.keyNamespace, keyId: this.keyName, cause: error },
        );
      }
      return undefined;
    }
  }
}
