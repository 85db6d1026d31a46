/**
 * Settings passed to every keyring of one provider, as that provider's keyring constructor takes
 * them (client settings, an injected client or client factory, timeouts). This is how the CLI
 * points the keyrings at the emulator; with nothing set, each provider uses its cloud's defaults
 * (the default credential chain and the public endpoints).
 */
export type ProviderSettings = Readonly<Record<string, unknown>>;

export interface KeyUriOptions {
  readonly aws?: ProviderSettings | undefined;
  readonly gcp?: ProviderSettings | undefined;
  readonly azure?: ProviderSettings | undefined;
  /** Settings by scheme, for any scheme (plug-ins included); for a built-in one, over the field above. */
  readonly settings?: Readonly<Record<string, ProviderSettings>> | undefined;
  /**
   * What the keyring is for. `decrypt` refuses AWS aliases: an EDK always names the key ARN,
   * so an alias cannot say which EDKs are allowed. Default `encrypt-decrypt` allows aliases only
   * as the URI that wraps.
   */
  readonly purpose?: 'encrypt' | 'decrypt' | 'encrypt-decrypt' | undefined;
}
