import { ErrorCodes, InvalidArgumentError, PolykmsError } from '@polykms/envelope';

/** The schemes `keyringFromUris` understands without a plug-in, in the order the README lists them. */
export const KEY_URI_SCHEMES = ['aws-kms', 'gcp-kms', 'azure-kv', 'local'] as const;
export type KeyUriScheme = (typeof KEY_URI_SCHEMES)[number];

/** The URI does not start with a registered scheme (`aws-kms://`, `gcp-kms://`, `azure-kv://`, `local://`, plug-ins). */
export class UnknownKeyUriSchemeError extends InvalidArgumentError {
  readonly uri: string;

  constructor(uri: string, known: readonly string[] = KEY_URI_SCHEMES) {
    const scheme = /^([a-z0-9+.-]+):/i.exec(uri)?.[1];
    super(
      `${scheme ? `unknown key URI scheme '${scheme}'` : 'a key URI needs a scheme'} in '${uri}': ` +
        `use one of ${known.map((s) => `${s}://`).join(', ')}`,
    );
    this.uri = uri;
  }
}

/** The scheme is known but the rest of the URI does not name a key of that provider. */
export class InvalidKeyUriError extends InvalidArgumentError {
  readonly uri: string;

  constructor(uri: string, expected: string) {
    super(`'${uri}' is not a valid key URI: expected ${expected}`);
    this.uri = uri;
  }
}

/**
 * The URI needs a provider package that is not installed. Each cloud lives in its own package so
 * that an application carries only the SDKs it uses; install the one named here.
 */
export class ProviderNotInstalledError extends PolykmsError {
  readonly packageName: string;

  constructor(scheme: string, packageName: string, cause: unknown) {
    super(
      ErrorCodes.Unsupported,
      `${scheme}:// keys need the package ${packageName}, which is not installed: ` +
        `run \`npm install ${packageName}\` (or pnpm add / yarn add)`,
      { provider: scheme, cause },
    );
    this.packageName = packageName;
  }
}
