import type { KmsKey } from '@polykms/envelope/driver';

/**
 * What the adapter writes into an EDK's provider info: `<key id>/versions/<n>`, UTF-8. The key id
 * tells a strict keyring whether the EDK is its own and a discovery keyring which account owns
 * it, without a KMS call; the version is checked against what the KMS says it used.
 */
export interface KeyReference extends KmsKey {
  readonly keyId: string;
  /** `imkms:<account>:<name>` → `<account>`. */
  readonly account: string;
  readonly version: number;
}

const PATTERN = /^(imkms:([a-z0-9-]{1,63}):[a-z0-9-]{1,63})\/versions\/([1-9][0-9]{0,8})$/;

export function formatKeyReference(keyId: string, version: number): string {
  return `${keyId}/versions/${version}`;
}

/** Undefined when the text (already bounded by the keyring) is not a key reference of this provider. */
export function parseKeyReference(text: string): KeyReference | undefined {
  const match = PATTERN.exec(text);
  if (!match) return undefined;
  return { id: text, keyId: match[1]!, account: match[2]!, version: Number(match[3]) };
}
