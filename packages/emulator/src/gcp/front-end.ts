import type { CloudFrontEnd, FrontEndOptions } from '../front-end.js';

export interface GcpEndpoint {
  readonly host: string;
  readonly port: number;
  readonly projectId: string;
  readonly location: string;
}

export interface GcpFrontEnd extends CloudFrontEnd {
  endpoint(host: string, port: number): GcpEndpoint;
}

export function createGcpFrontEnd(_options: FrontEndOptions): GcpFrontEnd {
  throw new Error('GCP front end: not implemented yet');
}
