export { RawAesKeyring, type RawAesKeyringOptions } from './raw-aes-keyring.js';
export { MIN_RSA_MODULUS_BITS, RawRsaKeyring, type RawRsaKeyringOptions } from './raw-rsa-keyring.js';
export { RSA_PADDINGS, type RsaPadding } from './rsa-padding.js';
export { serializeContextInLocaleOrder } from './legacy-context-order.js';
export {
  type AesKeyFile,
  type GenerateKeyFileOptions,
  type GeneratedKeyFile,
  type KeyFile,
  type RsaKeyFile,
  generateKeyFile,
  keyringFromKeyFile,
  loadKeyring,
  parseKeyFile,
} from './key-file.js';
export { MAX_KEY_FILE_BYTES } from './read-key-file.js';
export {
  RawEcdhKeyring,
  type EcdhSchema,
  type RawEcdhDiscoveryOptions,
  type RawEcdhEphemeralOptions,
  type RawEcdhKeyringOptions,
  type RawEcdhStaticOptions,
} from './raw-ecdh-keyring.js';
export { ECDH_CURVES, type EcdhCurve } from './ecdh-curve.js';
export type { EcdhPrivateKeyInput, EcdhPublicKeyInput } from './ecdh-keys.js';
