export type {
  ReencryptionTarget,
  RewrapMethod,
  RewrapOptions,
  RewrapPartsResult,
  RewrapResult,
  RewrappedHeader,
} from './options.js';
export { rewrap, rewrapParts } from './rewrap.js';
export { type RewrapStream, rewrapStream } from './rewrap-stream.js';
export { ReencryptStream } from './reencrypt-stream.js';
export { HeaderRewriteStream } from './header-rewrite-stream.js';
export {
  type KeptRecipientKeyring,
  type Recipient,
  type RecipientChange,
  assertDistinguishable,
  keptEncryptedDataKeys,
  matchesAny,
} from './recipients.js';
