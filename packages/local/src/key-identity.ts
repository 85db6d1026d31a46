import { InvalidArgumentError, MAX_EDK_FIELD_LENGTH, isWellFormedText } from '@polykms/envelope';

/** Provider ids starting with this are AWS KMS's (the ESDK reserves them); a raw keyring must not claim them. */
const AWS_KMS_PREFIX = 'aws-kms';
/** The provider ids of polykms's own cloud keyrings, which read every EDK that carries them. */
const CLOUD_PROVIDER_IDS: readonly string[] = ['gcp-kms', 'azure-kv'];

/** Why a raw keyring may not use `namespace` as its provider id, or undefined when it may. */
export function reservedNamespaceReason(namespace: string): string | undefined {
  if (namespace.startsWith(AWS_KMS_PREFIX))
    return `starts with "${AWS_KMS_PREFIX}", which is reserved for AWS KMS`;
  if (CLOUD_PROVIDER_IDS.includes(namespace))
    return `is reserved: it is the provider id of the ${namespace} keyring`;
  return undefined;
}

export interface KeyIdentity {
  readonly keyNamespace: string;
  readonly keyName: string;
}

/**
 * Checks the namespace (written as the EDK's provider id) and the name (written at the start of
 * its provider info) and returns the name's UTF-8 bytes. `reservedInfoBytes` is what the keyring
 * appends to the name in the provider info.
 */
export function checkKeyIdentity(kind: string, identity: KeyIdentity, reservedInfoBytes = 0): Buffer {
  const { keyNamespace, keyName } = identity;
  if (typeof keyNamespace !== 'string' || keyNamespace.length === 0) {
    throw new InvalidArgumentError(`${kind}: keyNamespace must be a non-empty string`);
  }
  if (typeof keyName !== 'string' || keyName.length === 0) {
    throw new InvalidArgumentError(`${kind}: keyName must be a non-empty string`);
  }
  const reserved = reservedNamespaceReason(keyNamespace);
  if (reserved) throw new InvalidArgumentError(`${kind}: keyNamespace "${keyNamespace}" ${reserved}`);
  if (!isWellFormedText(keyNamespace) || !isWellFormedText(keyName)) {
    throw new InvalidArgumentError(`${kind}: keyNamespace and keyName must be well-formed Unicode`);
  }
  if (Buffer.byteLength(keyNamespace, 'utf8') > MAX_EDK_FIELD_LENGTH) {
    throw new InvalidArgumentError(
      `${kind}: keyNamespace is longer than ${MAX_EDK_FIELD_LENGTH} UTF-8 bytes`,
    );
  }
  const name = Buffer.from(keyName, 'utf8');
  if (name.length + reservedInfoBytes > MAX_EDK_FIELD_LENGTH) {
    throw new InvalidArgumentError(
      `${kind}: keyName is longer than ${MAX_EDK_FIELD_LENGTH - reservedInfoBytes} UTF-8 bytes`,
    );
  }
  return name;
}
