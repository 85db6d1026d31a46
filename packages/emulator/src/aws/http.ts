import type { IncomingMessage } from 'node:http';
import type { Scope } from './store.js';

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT = '111122223333';

/** Largest body we buffer. Real KMS payloads stay far below it (a 6144-byte blob is ~8 KiB of base64). */
export const MAX_BODY_BYTES = 256 * 1024;
/** Beyond this we stop draining an oversize body and drop the connection. */
const MAX_DRAIN_BYTES = 8 * 1024 * 1024;

const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([a-z0-9-]{1,64})\/kms\/aws4_request/;

/**
 * Region and account of a request, from its SigV4 credential scope. The signature is never checked.
 * An access key id that is a 12-digit number names the account (as LocalStack does), so tests can
 * act as several accounts; any other key id is the default account.
 */
export function scopeOf(request: IncomingMessage): Scope {
  const match = CREDENTIAL.exec(request.headers.authorization ?? '');
  if (!match) return { region: DEFAULT_REGION, account: DEFAULT_ACCOUNT };
  const [, accessKeyId, region] = match as unknown as [string, string, string];
  return { region, account: /^\d{12}$/.test(accessKeyId) ? accessKeyId : DEFAULT_ACCOUNT };
}

/** The caller: the access key id of the SigV4 credential, which the emulator never verifies. */
export function accessKeyIdOf(request: IncomingMessage): string | undefined {
  return CREDENTIAL.exec(request.headers.authorization ?? '')?.[1];
}

export type BodyResult = { kind: 'ok'; body: Buffer } | { kind: 'too-large' } | { kind: 'aborted' };

/** Reads a request body up to MAX_BODY_BYTES; an oversize body is drained (bounded) and reported. */
export function readBody(request: IncomingMessage): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_DRAIN_BYTES) {
        request.socket.destroy();
        return;
      }
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else chunks.length = 0;
    });
    request.on('end', () =>
      resolve(size > MAX_BODY_BYTES ? { kind: 'too-large' } : { kind: 'ok', body: Buffer.concat(chunks) }),
    );
    request.on('error', () => resolve({ kind: 'aborted' }));
    request.on('close', () => {
      if (!request.complete) resolve({ kind: 'aborted' });
    });
  });
}
