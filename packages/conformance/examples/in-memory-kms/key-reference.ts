/**
 * What the adapter writes into an EDK's provider info: `<key id>/versions/<n>`, UTF-8. The key id
 * tells a strict keyring whether the EDK is its own and a discovery keyring which account owns
 * it, without a KMS call; the version is checked against what the KMS says it used.
 */
export interface KeyReference {
  readonly keyId: string;
  /** `imkms:<account>:<name>` → `<account>`. */
  readonly account: string;
  readonly version: number;
}

/** Provider info longer than this is not ours: key ids are short, and we never parse unbounded input. */
const MAX_PROVIDER_INFO_BYTES = 512;
const PATTERN = /^(imkms:([a-z0-9-]{1,63}):[a-z0-9-]{1,63})\/versions\/([1-9][0-9]{0,8})$/;

export function formatKeyReference(keyId: string, version: number): Uint8Array {
  return Buffer.from(`${keyId}/versions/${version}`, 'utf8');
}

/** Undefined when the provider info is not a key reference of this provider. */
export function parseKeyReference(providerInfo: Uint8Array): KeyReference | undefined {
  if (providerInfo.length > MAX_PROVIDER_INFO_BYTES) return undefined;
  const match = PATTERN.exec(Buffer.from(providerInfo).toString('utf8'));
  if (!match) return undefined;
  return { keyId: match[1]!, account: match[2]!, version: Number(match[3]) };
}
