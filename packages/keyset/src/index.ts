export { createKeyset, type CreateKeysetOptions } from './create-keyset.js';
export { openKeyset, type OpenKeysetOptions } from './open-keyset.js';
export { rotateKeyset } from './rotate-keyset.js';
export { retireKeysetVersion } from './retire-version.js';
export { rewrapKeyset, type RewrapKeysetOptions } from './rewrap-keyset.js';
export type { KeysetChangeOptions } from './rewrite-keyset.js';
// A type only: a Keyset comes from openKeyset, never from a constructor call.
export type { Keyset } from './keyset.js';
export type { KeyVersionInfo, VersionState } from './keyset-content.js';
export { KeysetKeyring } from './keyset-keyring.js';
export { KEYSET_PROVIDER_ID, isKeysetEncryptedDataKey, keysetEdkVersion } from './keyset-edk.js';
export { KEYSET_PURPOSE, KeysetContextKeys, type KeysetClaims } from './keyset-context.js';
export { inspectKeyset, type KeysetInfo } from './inspect-keyset.js';
export { readKeysetFile } from './file/read-keyset-file.js';
export { writeKeysetFile } from './file/write-keyset-file.js';
export {
  KEYSET_ID_BYTES,
  MAX_GENERATION,
  MAX_VERSION_NUMBER,
  MAX_KEYSET_MESSAGE_BYTES,
  MAX_KEYSET_VERSIONS,
  VERSION_KEY_BYTES,
} from './limits.js';
