import { type KeyObject, diffieHellman, generateKeyPairSync } from 'node:crypto';
import {
  type EncryptedDataKey,
  InvalidArgumentError,
  type Keyring,
  MalformedMessageError,
  type PolykmsErrorOptions,
  type UnwrapRequest,
  type UnwrapResult,
  type WrapRequest,
  type WrapResult,
  serializeEncryptionContext,
  zeroize,
} from '@polykms/envelope';
import { sealGivenOrNewDataKey, unwrapFirstWithKey } from '@polykms/envelope/driver';
import { ECDH_CURVES, type EcdhCurve, type EcdhCurveSpec, ecdhCurveSpec } from './ecdh-curve.js';
import { openDataKey, sealDataKey } from './ecdh-data-key-wrap.js';
import { ecdhFixedInfo } from './ecdh-fixed-info.js';
import {
  type EcdhKeyPair,
  type EcdhPrivateKeyInput,
  type EcdhPublicKey,
  type EcdhPublicKeyInput,
  loadEcdhPrivateKey,
  loadEcdhPublicKey,
  publicKeyFromCompressed,
} from './ecdh-keys.js';
import {
  ECDH_PROVIDER_IDS,
  type EcdhParties,
  RAW_ECDH_PROVIDER_ID,
  readEcdhProviderInfo,
  writeEcdhProviderInfo,
} from './ecdh-provider-info.js';

/**
 * The ESDK's key agreement schemas, named as in its test vectors: `static` is
 * RawPrivateKeyToStaticPublicKey, `ephemeral` EphemeralPrivateKeyToStaticPublicKey and `discovery`
 * PublicKeyDiscovery.
 */
export type EcdhSchema = 'static' | 'ephemeral' | 'discovery';

interface CurveOption {
  /** Every key given must be on this curve. */
  readonly curve: EcdhCurve;
}

/** A sender with its own long-lived key pair: encrypts to the recipient and decrypts what either wrote. */
export interface RawEcdhStaticOptions extends CurveOption {
  readonly schema: 'static';
  readonly senderPrivateKey: EcdhPrivateKeyInput;
  readonly recipientPublicKey: EcdhPublicKeyInput;
}

/** A sender with a new key pair per EDK: encrypts to the recipient, and cannot decrypt. */
export interface RawEcdhEphemeralOptions extends CurveOption {
  readonly schema: 'ephemeral';
  readonly recipientPublicKey: EcdhPublicKeyInput;
}

/** The recipient: decrypts every EDK made for its key, whoever the sender; cannot encrypt. */
export interface RawEcdhDiscoveryOptions extends CurveOption {
  readonly schema: 'discovery';
  readonly recipientPrivateKey: EcdhPrivateKeyInput;
}

export type RawEcdhKeyringOptions = RawEcdhStaticOptions | RawEcdhEphemeralOptions | RawEcdhDiscoveryOptions;

const SCHEMAS: readonly EcdhSchema[] = ['static', 'ephemeral', 'discovery'];

/** A short, stable label for a public key in descriptions and errors: never key material. */
function keyLabel(key: EcdhPublicKey): string {
  return key.compressed.subarray(0, 9).toString('hex');
}

/**
 * ECDH key agreement between a sender and a recipient key pair, then AES-256-GCM wrapping of the
 * data key under a key derived from the shared secret, producing the EDKs of the AWS Encryption
 * SDK's raw ECDH keyring (provider id `raw-ecdh`) byte for byte, and reading theirs (and those of
 * its AWS KMS ECDH keyring, `aws-kms-ecdh`, when this side's key is local). The encryption
 * context is bound twice: in the key derivation and as the AAD of the wrap.
 */
export class RawEcdhKeyring implements Keyring {
  readonly description: string;
  readonly schema: EcdhSchema;
  readonly curve: EcdhCurve;
  readonly #spec: EcdhCurveSpec;
  /** The configured recipient's public key (every schema has one). */
  readonly #recipient: EcdhPublicKey;
  /** `static`: the sender's key pair; `discovery`: the recipient's. */
  readonly #own: EcdhKeyPair | undefined;
  readonly #errorOptions: PolykmsErrorOptions;

  constructor(options: RawEcdhKeyringOptions) {
    if (typeof options !== 'object' || options === null || !SCHEMAS.includes(options.schema)) {
      throw new InvalidArgumentError(`RawEcdhKeyring: schema must be one of ${SCHEMAS.join(', ')}`);
    }
    const spec = ecdhCurveSpec(options.curve);
    if (spec === undefined) {
      throw new InvalidArgumentError(`RawEcdhKeyring: curve must be one of ${ECDH_CURVES.join(', ')}`);
    }
    this.schema = options.schema;
    this.curve = spec.curve;
    this.#spec = spec;
    switch (options.schema) {
      case 'static':
        this.#own = loadEcdhPrivateKey('senderPrivateKey', options.senderPrivateKey, spec);
        this.#recipient = loadEcdhPublicKey('recipientPublicKey', options.recipientPublicKey, spec);
        break;
      case 'ephemeral':
        this.#own = undefined;
        this.#recipient = loadEcdhPublicKey('recipientPublicKey', options.recipientPublicKey, spec);
        break;
      case 'discovery':
        this.#own = loadEcdhPrivateKey('recipientPrivateKey', options.recipientPrivateKey, spec);
        this.#recipient = this.#own.publicKey;
        break;
    }
    const sender = options.schema === 'static' ? ` sender ${keyLabel(this.#own!.publicKey)}…` : '';
    this.description = `raw-ecdh ${this.schema} ${this.curve}${sender} recipient ${keyLabel(this.#recipient)}…`;
    this.#errorOptions = { provider: RAW_ECDH_PROVIDER_ID, keyId: this.description };
  }

  /** False for a `discovery` keyring. */
  get canEncrypt(): boolean {
    return this.schema !== 'discovery';
  }

  /** False for an `ephemeral` keyring: its private keys are discarded once each EDK is written. */
  get canDecrypt(): boolean {
    return this.schema !== 'ephemeral';
  }

  async wrap(request: WrapRequest): Promise<WrapResult> {
    if (this.schema === 'discovery') {
      throw new InvalidArgumentError(
        `${this.description} cannot encrypt: it has no sender key; encrypt with a RawEcdhKeyring ` +
          "with schema 'ephemeral' or 'static' and the recipient's public key",
        this.#errorOptions,
      );
    }
    const serializedContext = serializeEncryptionContext(request.encryptionContext);
    return sealGivenOrNewDataKey(request, (dataKey) => {
      const sender = this.schema === 'ephemeral' ? this.#ephemeralKeyPair() : this.#own!;
      const parties = { sender: sender.publicKey.compressed, recipient: this.#recipient.compressed };
      const sharedSecret = diffieHellman({ privateKey: sender.privateKey, publicKey: this.#recipient.key });
      try {
        const fixedInfo = ecdhFixedInfo(this.#spec, parties, serializedContext);
        return {
          providerId: RAW_ECDH_PROVIDER_ID,
          providerInfo: writeEcdhProviderInfo(parties),
          ciphertext: sealDataKey(sharedSecret, fixedInfo, dataKey),
        };
      } finally {
        zeroize(sharedSecret);
      }
    });
  }

  async unwrap(request: UnwrapRequest): Promise<UnwrapResult | null> {
    if (this.schema === 'ephemeral') {
      if (!request.encryptedDataKeys.some((edk) => this.#partiesIfMine(edk))) return null;
      throw new InvalidArgumentError(
        `${this.description} cannot decrypt: an ephemeral sender discards its private key after each ` +
          "wrap; decrypt with a RawEcdhKeyring with schema 'discovery' and the recipient's private key",
        this.#errorOptions,
      );
    }
    const serializedContext = serializeEncryptionContext(request.encryptionContext);
    return unwrapFirstWithKey(
      request.encryptedDataKeys,
      (edk) => this.#partiesIfMine(edk),
      async (edk, parties) => this.#open(edk, parties, serializedContext, request.suite.keyLength),
      () => this.description,
    );
  }

  /**
   * The EDK's parties when it is this keyring's to open, as the ESDK filters: provider id
   * `raw-ecdh` or `aws-kms-ecdh`, provider info of this curve's exact layout, and the recipient's
   * key (`discovery`), or the sender's and recipient's keys in either order (`static`, so that
   * both ends of a static pair open what either wrote).
   */
  #partiesIfMine(edk: EncryptedDataKey): EcdhParties | undefined {
    if (!ECDH_PROVIDER_IDS.includes(edk.providerId)) return undefined;
    const parties = readEcdhProviderInfo(edk.providerInfo, this.#spec);
    if (parties === undefined) return undefined;
    const recipient = this.#recipient.compressed;
    if (this.schema !== 'static') return parties.recipient.equals(recipient) ? parties : undefined;
    const sender = this.#own!.publicKey.compressed;
    const forward = parties.sender.equals(sender) && parties.recipient.equals(recipient);
    const reverse = parties.sender.equals(recipient) && parties.recipient.equals(sender);
    return forward || reverse ? parties : undefined;
  }

  #open(
    edk: EncryptedDataKey,
    parties: EcdhParties,
    serializedContext: Uint8Array,
    keyLength: number,
  ): Buffer {
    const own = this.#own!;
    // `static`: the EDK holds this pair's two keys, so the other party is always the configured
    // recipient. `discovery`: the sender is whoever the EDK names, checked to be on the curve.
    const peer = this.schema === 'static' ? this.#recipient.key : this.#senderOf(parties);
    const sharedSecret = diffieHellman({ privateKey: own.privateKey, publicKey: peer });
    try {
      const fixedInfo = ecdhFixedInfo(this.#spec, parties, serializedContext);
      return openDataKey(sharedSecret, fixedInfo, edk.ciphertext, keyLength, this.#errorOptions);
    } finally {
      zeroize(sharedSecret);
    }
  }

  #senderOf(parties: EcdhParties): KeyObject {
    const sender = publicKeyFromCompressed(parties.sender, this.#spec);
    if (sender === undefined) {
      throw new MalformedMessageError(
        `the raw ECDH EDK's sender public key is not a point on ${this.curve}`,
        this.#errorOptions,
      );
    }
    return sender;
  }

  /** A new key pair for one EDK; its private key is dropped when the wrap returns. */
  #ephemeralKeyPair(): EcdhKeyPair {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: this.#spec.nodeName });
    return { privateKey, publicKey: loadEcdhPublicKey('the ephemeral key', publicKey, this.#spec) };
  }
}
