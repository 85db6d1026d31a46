import type { CloudFrontEnd, FrontEndOptions } from '../front-end.js';

export interface AwsEndpoint {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  /** Dummy credentials: the emulator accepts any signature. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface AwsFrontEnd extends CloudFrontEnd {
  endpoint(host: string, port: number): AwsEndpoint;
}

export function createAwsFrontEnd(_options: FrontEndOptions): AwsFrontEnd {
  throw new Error('AWS front end: not implemented yet');
}
