export * from './control.js';
export type { CloudFrontEnd, FrontEndOptions } from './front-end.js';
export type { CloudEndpoints } from './clouds.js';
export {
  type AwsClientConfig,
  type AwsEndpoint,
  type AwsFrontEnd,
  createAwsFrontEnd,
} from './aws/front-end.js';
export type { GcpEndpoint, GcpFrontEnd } from './gcp/front-end.js';
export {
  type AzureEndpoint,
  type AzureFrontEnd,
  type AzureFrontEndOptions,
  challengeResource,
  createAzureFrontEnd,
} from './azure/front-end.js';
export { emulatorEnv, exportLines } from './env.js';
export { readEnvFile } from './env-file.js';
export { type KeySeed, type SeededKey, loadSeedFile, parseKeySeed } from './seed.js';
export { waitUntilReady } from './wait.js';
export { type CommandIo, runEmulatorCommand, runWaitCommand } from './command.js';
export type { AdminServer } from './admin.js';
export * from './start.js';
