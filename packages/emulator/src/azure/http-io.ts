import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJsonBody } from '../servers.js';
import { VaultError } from './errors.js';

/** Key operation payloads are a few hundred bytes; 64 KiB leaves room for tags and future fields. */
export const MAX_REQUEST_BODY_BYTES = 64 * 1024;

/** Reads the whole body, refusing to buffer more than `limit` bytes. */
export function readBody(request: IncomingMessage, limit = MAX_REQUEST_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', reject);
  });
}

function tooLarge(limit: number): VaultError {
  return new VaultError(413, 'RequestEntityTooLarge', `The request body exceeds ${limit} bytes.`);
}

/** Parses a JSON object body; an empty body is `{}`. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new VaultError(400, 'BadParameter', 'The request body is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new VaultError(400, 'BadParameter', 'The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  sendJsonBody(response, status, body, { 'x-ms-keyvault-service-version': 'polykms-emulator', ...headers });
}

export function sendError(response: ServerResponse, error: VaultError): void {
  sendJson(response, error.status, error.toJSON(), error.headers);
}
