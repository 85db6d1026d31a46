/**
 * Node socket and DNS error codes (`error.code`): the KMS could not be reached, so a later
 * attempt may succeed. Every provider's error table maps these onto ERR_UNAVAILABLE.
 */
const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Whether `code` (an error's `code` field) says the network failed before any answer came. */
export function isNetworkErrorCode(code: unknown): boolean {
  return typeof code === 'string' && NETWORK_ERROR_CODES.has(code);
}
