import type { EncryptedDataKey, Keyring } from '../keyring/types.js';

/** What a key URI's keyring is for: `decrypt` refuses keys that cannot select EDKs (aliases). */
export type KeyPurpose = 'encrypt' | 'decrypt' | 'encrypt-decrypt';

export interface SchemeKeyringOptions {
  /** The provider's settings as its keyring constructor takes them (clients, credentials, timeouts). */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly purpose: KeyPurpose;
}

/** The fields a scheme reads from the text after `scheme://`, spread onto the parsed URI. */
export type SchemeFields = Readonly<Record<string, unknown>>;

/**
 * A key URI scheme (`aws-kms://…`), owned by the provider package whose keys it names: the grammar
 * is the provider's own, so a URI and a keyring accept exactly the same names. `@polykms/key-uri`
 * only dispatches to these; `registerKeyringScheme` adds a third party's.
 */
export interface KeyringScheme<Key extends object = SchemeFields, Filter extends object = SchemeFields> {
  /** Lower case, e.g. `aws-kms`. */
  readonly scheme: string;
  /** The form of a key URI, shown when one does not parse, e.g. `aws-kms://arn:aws:kms:…`. */
  readonly keyForm: string;
  /** The key named by the text after `scheme://`; undefined when it names none. */
  parseKey(rest: string): Key | undefined;
  /** The keyring of a parsed key. Load cloud SDKs here (with `import()`), not at module load. */
  keyring(key: Key, options: SchemeKeyringOptions): Promise<Keyring>;
  /**
   * Whether the header's EDK was made with the key, without a KMS call (`migrate` recognises
   * done work with it); undefined when the EDK cannot tell.
   */
  edkMatchesKey?(key: Key, edk: EncryptedDataKey): boolean | undefined;
  /** The EDK provider id of the keys it names, when it has one; with `keyUriOfEdk`. */
  readonly providerId?: string | undefined;
  /** The URI of the key an EDK of `providerId` names (UTF-8 provider info), for display. */
  keyUriOfEdk?(providerInfo: string): string | undefined;
  /** Discovery filters (`scheme://<account or project>`), when the provider has a discovery keyring. */
  readonly discovery?: DiscoveryScheme<Filter> | undefined;
}

export interface DiscoveryScheme<Filter extends object = SchemeFields> {
  /** The form of a filter, shown when one does not parse. */
  readonly form: string;
  parse(rest: string): Filter | undefined;
  /** The filters of this scheme merged into as few keyrings as the provider allows. */
  merge(filters: readonly Filter[]): Filter[];
  keyring(filter: Filter, options: SchemeKeyringOptions): Promise<Keyring>;
}

/**
 * A scheme of whatever key and filter types, as a registry holds it: each scheme only ever gets
 * back the keys its own `parseKey` made.
 */
// biome-ignore lint/suspicious/noExplicitAny: the registry is heterogeneous by design; see above.
export type AnyKeyringScheme = KeyringScheme<any, any>;
