import type { CloudFrontEnd, FrontEndOptions } from '../front-end.js';

export interface AzureEndpoint {
  /** `https://127.0.0.1:PORT` (or localhost), covered by `caCertPem`. */
  readonly vaultUrl: string;
  /** The self-signed certificate the vault serves; trust it with `tlsOptions.ca` or NODE_EXTRA_CA_CERTS. */
  readonly caCertPem: string;
  /** Managed-identity token endpoint for DefaultAzureCredential (IDENTITY_ENDPOINT / IDENTITY_HEADER). */
  readonly identityEndpoint: string;
  readonly identityHeader: string;
}

export interface AzureFrontEnd extends CloudFrontEnd {
  endpoint(host: string, port: number): AzureEndpoint;
}

export function createAzureFrontEnd(_options: FrontEndOptions): AzureFrontEnd {
  throw new Error('Azure front end: not implemented yet');
}
