/**
 * Which keys a KMS keyring uses. Strict: the one key it was configured with, on wrap and unwrap.
 * Discovery: any key a filter admits, on unwrap only (the EDK names the key to call).
 */
export type KeyPolicy<Key> = StrictKeyPolicy<Key> | DiscoveryKeyPolicy<Key>;

interface OpensVia<Key> {
  /**
   * The key to ask the KMS to decrypt an accepted EDK with; default the key the EDK names. Set
   * when another key holds the same key material and is the one to call, e.g. the replica of an
   * AWS multi-Region key in the keyring's own region. The answer must then name this key.
   */
  readonly openWith?: ((key: Key) => Key) | undefined;
}

export interface StrictKeyPolicy<Key> extends OpensVia<Key> {
  readonly mode: 'strict';
  /** The key as the KMS is asked for it on wrap: a key id, name, or an alias. */
  readonly keyId: string;
  /**
   * Whether the key (version) the KMS reports having used on wrap is the configured one: the
   * confused-deputy check, e.g. a version of this CryptoKey, or this ARN.
   */
  readonly sealedWith: (key: Key) => boolean;
  /** Whether an EDK's key is this keyring's to open. */
  readonly opens: (key: Key) => boolean;
  /**
   * Set when this keyring cannot decrypt at all (it names an alias, which no EDK names): the
   * message of the ERR_INVALID_ARGUMENT unwrap then throws.
   */
  readonly cannotOpen?: string | undefined;
}

export interface DiscoveryKeyPolicy<Key> extends OpensVia<Key> {
  readonly mode: 'discovery';
  /** Whether the key an EDK names passes the filter. Keep it as narrow as the keys you trust. */
  readonly admits: (key: Key) => boolean;
  /** The strict keyring to use to encrypt, named in the error `wrap` throws. */
  readonly strictKeyring: string;
}
