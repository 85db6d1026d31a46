import { type EncryptedDataKey, type Keyring, type MessageHeader, MultiKeyring } from '@polykms/envelope';
import { providerInfoText } from '@polykms/envelope/driver';
import { type KeyUriOptions, keyUriOfEncryptedDataKey, keyringFromUri, parseKeyUri } from '@polykms/key-uri';
import { providerSettingsFromEnv } from './config/provider-settings.js';
import type { NamedKey } from './recipients.js';

/** Longest provider info read as a key name: cloud key names are far shorter. */
const MAX_KEY_NAME_BYTES = 2048;

/**
 * Keyrings for the keys a header names, for re-encryption: to wrap the new data key for the
 * recipients a rewrap keeps, and to verify the new message before it replaces anything. A cloud
 * EDK names its key (an ARN, a CryptoKeyVersion, a Key Vault key id), so its keyring is built from
 * that name; it is asked only for headers already authenticated, whose EDKs a holder of the data
 * key wrote. A local EDK names a label only, so its keyring must be one of the local keys given on
 * the command line. One keyring per key, shared by every file of a run.
 */
export class RecipientKeyrings {
  readonly #local: readonly NamedKey[];
  readonly #byUri = new Map<string, Promise<Keyring>>();
  readonly #settings: KeyUriOptions;

  /** `named`: the keys given on the command line; `settings`: how to reach each cloud. */
  constructor(named: readonly NamedKey[], settings: KeyUriOptions = providerSettingsFromEnv()) {
    this.#local = named.filter((key) => key.localKeyring !== undefined);
    this.#settings = settings;
  }

  /** The keyring that wraps for, and opens, the key `edk` names; undefined when there is none. */
  readonly forEdk = async (edk: EncryptedDataKey): Promise<Keyring | undefined> => {
    const local = this.#local.find((key) => key.matches(edk));
    if (local) return local.localKeyring;
    const name = providerInfoText(edk.providerInfo, MAX_KEY_NAME_BYTES);
    const uri = name === undefined ? undefined : keyUriOfEncryptedDataKey(edk.providerId, name);
    if (uri === undefined) return undefined;
    let keyring = this.#byUri.get(uri);
    if (!keyring) {
      keyring = keyringFromUri(parseKeyUri(uri), {
        ...this.#settings,
        purpose: 'encrypt-decrypt',
      });
      this.#byUri.set(uri, keyring);
    }
    return keyring;
  };

  /** A keyring that opens `header` through any of its recipients we hold a keyring for. */
  async verifierFor(header: MessageHeader): Promise<Keyring | undefined> {
    const keyrings: Keyring[] = [];
    for (const edk of header.encryptedDataKeys) {
      const keyring = await this.forEdk(edk);
      if (keyring && !keyrings.includes(keyring)) keyrings.push(keyring);
    }
    const [first, ...rest] = keyrings;
    if (!first) return undefined;
    return rest.length === 0 ? first : new MultiKeyring({ children: keyrings });
  }
}
