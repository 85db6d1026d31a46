import { providerInfoText } from '@polykms/envelope';

/** Cloud KMS resource ids: letters, digits, `_` and `-`, 1 to 63 characters. */
const ID = '[a-zA-Z0-9_-]{1,63}';
const KEY_NAME = new RegExp(`^projects/(${ID})/locations/(${ID})/keyRings/${ID}/cryptoKeys/${ID}$`);
const VERSION_NAME = new RegExp(
  `^(projects/(${ID})/locations/(${ID})/keyRings/${ID}/cryptoKeys/${ID})/cryptoKeyVersions/[1-9][0-9]{0,9}$`,
);

/** A version name is at most about 400 bytes; anything longer in an EDK is not ours to parse. */
export const MAX_VERSION_NAME_BYTES = 1024;

export interface CryptoKeyName {
  readonly name: string;
  readonly project: string;
  readonly location: string;
}

export interface CryptoKeyVersionName {
  readonly name: string;
  readonly cryptoKey: CryptoKeyName;
}

export function parseCryptoKeyName(name: string): CryptoKeyName | undefined {
  const match = KEY_NAME.exec(name);
  return match ? { name, project: match[1] as string, location: match[2] as string } : undefined;
}

export function parseCryptoKeyVersionName(name: string): CryptoKeyVersionName | undefined {
  const match = VERSION_NAME.exec(name);
  if (!match) return undefined;
  return {
    name,
    cryptoKey: { name: match[1] as string, project: match[2] as string, location: match[3] as string },
  };
}

/** The CryptoKeyVersion name stored as an EDK's provider info, or undefined when it is not one. */
export function versionNameFromProviderInfo(providerInfo: Uint8Array): CryptoKeyVersionName | undefined {
  const text = providerInfoText(providerInfo, MAX_VERSION_NAME_BYTES);
  return text === undefined ? undefined : parseCryptoKeyVersionName(text);
}
