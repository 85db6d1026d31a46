export * from './control.js';
export type { CloudFrontEnd, FrontEndOptions } from './front-end.js';
export {
  type AwsClientConfig,
  type AwsEndpoint,
  type AwsFrontEnd,
  createAwsFrontEnd,
} from './aws/front-end.js';
export type { GcpEndpoint } from './gcp/front-end.js';
export { type AzureEndpoint, type AzureFrontEndOptions, createAzureFrontEnd } from './azure/front-end.js';
export { emulatorEnv, exportLines } from './env.js';
export type { AdminServer } from './admin.js';
export * from './start.js';
