/**
 * What polykms errors keep of an Azure SDK failure as their `cause`. The SDK's RestError holds
 * the request, whose body for wrapKey is the plaintext data key, and the response; neither may
 * stay reachable from an error that callers log or serialize. This keeps what diagnoses the
 * failure and nothing else.
 */
export interface AzureErrorSummary extends Error {
  /** The HTTP status the vault answered with; undefined when no answer came (network, credential). */
  readonly statusCode: number | undefined;
  /** RestError `code`: the service's error code, or a network code such as `ECONNRESET`. */
  readonly code: string | undefined;
  /** The service's inner error code, e.g. `KeyDisabled`. */
  readonly innerErrorCode: string | undefined;
}

/** The fields of a RestError that are read (the class is not exported at run time). */
interface RestErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly statusCode?: unknown;
  readonly code?: unknown;
  readonly details?: { readonly error?: { readonly innerError?: { readonly code?: unknown } } };
}

/** Longest message or code kept: service messages are a sentence or two. */
const MAX_TEXT = 1000;

/** The RestError code for a response body that is not JSON; its message quotes that body. */
const PARSE_ERROR = 'PARSE_ERROR';

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value.slice(0, MAX_TEXT) : undefined;
}

export function summarizeAzureError(error: unknown): AzureErrorSummary {
  const source: RestErrorLike = error instanceof Error ? (error as RestErrorLike) : {};
  const code = text(source.code);
  // A 200 answer to unwrapKey that fails to parse would be quoted whole: the data key.
  const message =
    code === PARSE_ERROR
      ? 'the response body could not be parsed'
      : (text(source.message) ?? 'a non-Error value was thrown');
  const summary = new Error(message) as Error & {
    statusCode: number | undefined;
    code: string | undefined;
    innerErrorCode: string | undefined;
  };
  summary.name = text(source.name) ?? 'UnknownError';
  summary.statusCode = typeof source.statusCode === 'number' ? source.statusCode : undefined;
  summary.code = code;
  summary.innerErrorCode = text(source.details?.error?.innerError?.code);
  return summary;
}
