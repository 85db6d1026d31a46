export { InMemoryKms, InMemoryKmsClient, type FaultSpec, type Operation } from './service.js';
export { ServiceError, type ServiceErrorName } from './service-errors.js';
export { InMemoryKmsDriver } from './driver.js';
export { InMemoryKmsKeyring, type InMemoryKmsKeyringOptions } from './keyring.js';
export { PROVIDER_ID, mapServiceError } from './error-table.js';
