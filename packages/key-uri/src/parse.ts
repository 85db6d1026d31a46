import { isAbsolute, resolve } from 'node:path';
import { InvalidKeyUriError, type KeyUriScheme, UnknownKeyUriSchemeError } from './errors.js';

export interface AwsKmsKeyUri {
  readonly scheme: 'aws-kms';
  readonly uri: string;
  /** What goes to KMS as `KeyId`: a key ARN, an alias ARN or `alias/<name>`. */
  readonly keyId: string;
  /** Aliases can wrap, but an EDK always names the key ARN, so they cannot select EDKs on decrypt. */
  readonly kind: 'key' | 'alias';
  /** From the ARN; undefined for `alias/<name>`, which uses the client's configured region. */
  readonly region: string | undefined;
}

export interface GcpKmsKeyUri {
  readonly scheme: 'gcp-kms';
  readonly uri: string;
  /** `projects/{p}/locations/{l}/keyRings/{r}/cryptoKeys/{k}`: the CryptoKey, never a version. */
  readonly keyName: string;
  readonly project: string;
  readonly location: string;
}

export interface AzureKeyVaultKeyUri {
  readonly scheme: 'azure-kv';
  readonly uri: string;
  /** `https://<vault-host>/keys/<name>[/<version>]`, as the Key Vault client takes it. */
  readonly keyId: string;
  /** Lower-cased host, with the port when one was given. */
  readonly vaultHost: string;
  readonly keyName: string;
  /** Undefined = the latest version for wrapping; any version of the key on decrypt. */
  readonly version: string | undefined;
}

export interface LocalKeyUri {
  readonly scheme: 'local';
  readonly uri: string;
  /** The key file, resolved against the working directory. */
  readonly path: string;
}

export type KeyUri = AwsKmsKeyUri | GcpKmsKeyUri | AzureKeyVaultKeyUri | LocalKeyUri;

const AWS_KEY_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):(key|alias)\/([A-Za-z0-9:/_-]+)$/;
const AWS_ALIAS = /^alias\/[A-Za-z0-9:/_-]+$/;
const GCP_KEY_NAME =
  /^projects\/([A-Za-z0-9.:_-]+)\/locations\/([A-Za-z0-9_-]+)\/keyRings\/[A-Za-z0-9_-]{1,63}\/cryptoKeys\/[A-Za-z0-9_-]{1,63}$/;
const AZURE_HOST = /^[a-z0-9.-]+(:\d{1,5})?$/;
const AZURE_KEY_PATH = /^\/keys\/([0-9A-Za-z-]{1,127})(?:\/([0-9A-Za-z]{1,64}))?\/?$/;

const EXPECTED: Record<KeyUriScheme, string> = {
  'aws-kms':
    'aws-kms://arn:aws:kms:<region>:<account>:key/<key-id> (or an alias ARN / alias/<name> to encrypt)',
  'gcp-kms': 'gcp-kms://projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>',
  'azure-kv': 'azure-kv://<vault-host>/keys/<name>[/<version>]',
  local: 'local://<path-to-key-file>',
};

function splitScheme(uri: string): { scheme: KeyUriScheme; rest: string } {
  const match = /^([a-z0-9+.-]+):\/\/(.*)$/is.exec(uri);
  const scheme = match?.[1]?.toLowerCase();
  if (
    match &&
    (scheme === 'aws-kms' || scheme === 'gcp-kms' || scheme === 'azure-kv' || scheme === 'local')
  ) {
    return { scheme, rest: match[2] ?? '' };
  }
  throw new UnknownKeyUriSchemeError(uri);
}

/** Parses one key URI, or throws a typed error that shows the expected form. */
export function parseKeyUri(uri: string): KeyUri {
  const { scheme, rest } = splitScheme(uri.trim());
  const invalid = () => new InvalidKeyUriError(uri, EXPECTED[scheme]);
  switch (scheme) {
    case 'aws-kms': {
      const arn = AWS_KEY_ARN.exec(rest);
      if (arn) return { scheme, uri, keyId: rest, kind: arn[4] === 'key' ? 'key' : 'alias', region: arn[2] };
      if (AWS_ALIAS.test(rest)) return { scheme, uri, keyId: rest, kind: 'alias', region: undefined };
      throw invalid();
    }
    case 'gcp-kms': {
      const name = GCP_KEY_NAME.exec(rest);
      if (!name) throw invalid();
      return { scheme, uri, keyName: rest, project: name[1] ?? '', location: name[2] ?? '' };
    }
    case 'azure-kv': {
      const slash = rest.indexOf('/');
      const host = slash < 0 ? rest : rest.slice(0, slash).toLowerCase();
      const path = AZURE_KEY_PATH.exec(slash < 0 ? '' : rest.slice(slash));
      if (!AZURE_HOST.test(host) || !path) throw invalid();
      const keyName = path[1] ?? '';
      const version = path[2];
      const keyId = `https://${host}/keys/${keyName}${version ? `/${version}` : ''}`;
      return { scheme, uri, keyId, vaultHost: host, keyName, version };
    }
    case 'local': {
      if (rest.length === 0) throw invalid();
      return { scheme, uri, path: isAbsolute(rest) ? rest : resolve(rest) };
    }
  }
}

/** The URI of an EDK's key, when its provider names one in the header (the cloud providers). */
export function keyUriOfEncryptedDataKey(providerId: string, providerInfo: string): string | undefined {
  switch (providerId) {
    case 'aws-kms':
      return AWS_KEY_ARN.test(providerInfo) ? `aws-kms://${providerInfo}` : undefined;
    case 'gcp-kms': {
      const key = providerInfo.replace(/\/cryptoKeyVersions\/[^/]+$/, '');
      return GCP_KEY_NAME.test(key) ? `gcp-kms://${key}` : undefined;
    }
    case 'azure-kv': {
      const match = /^https:\/\/([^/]+)(\/keys\/.+)$/.exec(providerInfo);
      return match ? `azure-kv://${match[1]}${match[2]}` : undefined;
    }
    default:
      return undefined;
  }
}
