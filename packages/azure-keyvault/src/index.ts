export { AzureKeyVaultKeyring, type AzureKeyVaultKeyringOptions } from './keyring.js';
export {
  AzureKeyVaultDiscoveryKeyring,
  type AzureKeyVaultDiscoveryKeyringOptions,
} from './discovery-keyring.js';
export type { AzureTokenCredential } from './clients.js';
export type { WrapAlgorithm } from './key-operation.js';
export { PROVIDER_ID, mapAzureError } from './error-table.js';
export type { AzureErrorSummary } from './sdk-error-summary.js';
export { type AzureKeyId, parseKeyId } from './key-id.js';
export {
  azureKeyVaultKeyringScheme,
  type AzureKeyVaultUriKey,
  type AzureKeyVaultUriFilter,
} from './scheme/index.js';
