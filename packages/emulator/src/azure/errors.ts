/**
 * Key Vault's error shape: `{"error":{"code","message","innererror"?:{"code"}}}`. The statuses
 * matter more than the texts: the client retries 408, 429 and most 5xx, so deterministic failures
 * (bad input, failed crypto) are always 4xx.
 */
export class VaultError extends Error {
  readonly status: number;
  readonly code: string;
  readonly innerCode: string | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { innerCode?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.innerCode = options.innerCode;
    this.headers = options.headers ?? {};
  }

  toJSON(): unknown {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.innerCode === undefined ? {} : { innererror: { code: this.innerCode } }),
      },
    };
  }
}

export const badParameter = (message: string) => new VaultError(400, 'BadParameter', message);

export const keyNotFound = (name: string, version = '') =>
  new VaultError(
    404,
    'KeyNotFound',
    `A key with (name/id) ${version ? `${name}/${version}` : name} was not found in this key vault.`,
  );

export const keyDisabled = (operation: string) =>
  new VaultError(403, 'Forbidden', `Operation ${operation} is not allowed on a disabled key.`, {
    innerCode: 'KeyDisabled',
  });

/** What an access-policy denial looks like: the missing permission and the key are named. */
export const forbiddenByPolicy = (operation: string, keyId: string) =>
  new VaultError(
    403,
    'Forbidden',
    `The user, group or application does not have keys ${operation} permission on key ${keyId}.`,
    { innerCode: 'ForbiddenByPolicy' },
  );

export const throttled = (retryAfterMs: number) =>
  new VaultError(
    429,
    'Throttled',
    'Request was not processed because too many requests were received. Reason: emulator fault injection.',
    {
      headers: {
        'retry-after': String(Math.ceil(retryAfterMs / 1000)),
        'x-ms-retry-after-ms': String(retryAfterMs),
      },
    },
  );

export const serviceUnavailable = () =>
  new VaultError(503, 'ServiceUnavailable', 'The service is temporarily unavailable (fault injection).');
