import { awsErrors } from './errors.js';

/**
 * Readers for the fields of a JSON 1.1 request body. A field of the wrong JSON type is a
 * SerializationException (the service cannot deserialise it); a value that breaks a model
 * constraint is a ValidationException naming the field in camelCase, as the service does.
 */
export type RequestBody = Readonly<Record<string, unknown>>;

function camel(field: string): string {
  return field.charAt(0).toLowerCase() + field.slice(1);
}

function wrongType(field: string, expected: string): Error {
  return awsErrors.serialization(`Unexpected value for '${field}': expected ${expected}`);
}

export interface LengthBounds {
  readonly min: number;
  readonly max: number;
}

export function optionalString(body: RequestBody, field: string, bounds: LengthBounds): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw wrongType(field, 'a string');
  if (value.length < bounds.min) throw awsErrors.tooShort(camel(field), bounds.min);
  if (value.length > bounds.max) throw awsErrors.tooLong(camel(field), bounds.max);
  return value;
}

export function requiredString(body: RequestBody, field: string, bounds: LengthBounds): string {
  const value = optionalString(body, field, bounds);
  if (value === undefined) throw awsErrors.missing(camel(field));
  return value;
}

export function optionalEnum<T extends string>(
  body: RequestBody,
  field: string,
  allowed: readonly T[],
): T | undefined {
  const value = optionalString(body, field, { min: 0, max: 1024 });
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw awsErrors.validation(
      `Value '${value}' at '${camel(field)}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
    );
  }
  return value as T;
}

export function optionalInteger(
  body: RequestBody,
  field: string,
  bounds: { min: number; max: number },
): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(field, 'an integer');
  if (value < bounds.min) {
    throw awsErrors.validation(
      `Value '${value}' at '${camel(field)}' failed to satisfy constraint: Member must have value greater than or equal to ${bounds.min}`,
    );
  }
  if (value > bounds.max) {
    throw awsErrors.validation(
      `Value '${value}' at '${camel(field)}' failed to satisfy constraint: Member must have value less than or equal to ${bounds.max}`,
    );
  }
  return value;
}

export function optionalBoolean(body: RequestBody, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw wrongType(field, 'a boolean');
  return value;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A blob field: standard padded base64 in the JSON, bounded in decoded bytes. */
export function optionalBlob(body: RequestBody, field: string, bounds: LengthBounds): Buffer | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw wrongType(field, 'a base64 string');
  if (value.length % 4 !== 0 || !BASE64.test(value)) {
    throw awsErrors.serialization(`Value for '${field}' is not valid base64`);
  }
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length < bounds.min) throw awsErrors.tooShort(camel(field), bounds.min);
  if (bytes.length > bounds.max) throw awsErrors.tooLong(camel(field), bounds.max);
  return bytes;
}

export function requiredBlob(body: RequestBody, field: string, bounds: LengthBounds): Buffer {
  const value = optionalBlob(body, field, bounds);
  if (value === undefined) throw awsErrors.missing(camel(field));
  return value;
}

/** An EncryptionContext map: string → string; absent means empty. */
export function encryptionContext(body: RequestBody, field: string): Record<string, string> {
  const value = body[field];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw wrongType(field, 'a map');
  const context: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw wrongType(`${field}.${k}`, 'a string');
    context[k] = v;
  }
  return context;
}

export function grantTokens(body: RequestBody): void {
  const value = body['GrantTokens'];
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) throw wrongType('GrantTokens', 'a list');
  if (value.length > 10) throw awsErrors.tooLong('grantTokens', 10);
  for (const token of value) {
    if (typeof token !== 'string') throw wrongType('GrantTokens', 'a list of strings');
    if (token.length < 1) throw awsErrors.tooShort('grantTokens.member', 1);
    if (token.length > 8192) throw awsErrors.tooLong('grantTokens.member', 8192);
  }
}

/** A string a handler may use to name a key before validating it (for admission); never throws. */
export function peekString(body: RequestBody, field: string): string | undefined {
  const value = body[field];
  return typeof value === 'string' && value.length > 0 && value.length <= 2048 ? value : undefined;
}
