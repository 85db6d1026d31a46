import type { Int64Value } from './checksums.js';
import { invalidArgument } from './errors.js';

/** A request as proto-loader decodes it: camelCase fields, bytes as Buffer, enums and longs as strings. */
export type Request = Record<string, unknown>;
export type Response = Record<string, unknown>;

export const str = (request: Request, field: string): string => {
  const value = request[field];
  return typeof value === 'string' ? value : '';
};

export const bytes = (request: Request, field: string): Buffer => {
  const value = request[field];
  return Buffer.isBuffer(value) ? value : Buffer.alloc(0);
};

export const int64 = (request: Request, field: string): Int64Value | null => {
  const value = request[field];
  return value && typeof value === 'object' && 'value' in value ? (value as Int64Value) : null;
};

export const required = (request: Request, field: string, protoField: string): string => {
  const value = str(request, field);
  if (value === '') throw invalidArgument(`${protoField} is required.`);
  return value;
};

/** One page of a list: `page_token` is the offset, `page_size` 0 means the service default (1000). */
export function page<T>(items: T[], request: Request): { items: T[]; nextPageToken: string } {
  const pageSize = Number(request['pageSize'] ?? 0);
  if (!Number.isInteger(pageSize) || pageSize < 0) throw invalidArgument('page_size must not be negative.');
  const token = str(request, 'pageToken');
  const start = token === '' ? 0 : Number(token);
  if (!Number.isInteger(start) || start < 0 || start > items.length) {
    throw invalidArgument(`Invalid page_token [${token}].`);
  }
  if (str(request, 'filter') !== '' || str(request, 'orderBy') !== '') {
    throw invalidArgument('The emulator does not support filter or order_by.');
  }
  const size = pageSize === 0 ? 1000 : Math.min(pageSize, 1000);
  const end = Math.min(start + size, items.length);
  return { items: items.slice(start, end), nextPageToken: end < items.length ? String(end) : '' };
}

/** The direct children `{parent}/{segment}/{id}` among `all`. */
export function childrenOf<T extends { name: string }>(
  all: Iterable<T>,
  parent: string,
  segment: string,
): T[] {
  const prefix = `${parent}/${segment}/`;
  return [...all].filter((r) => r.name.startsWith(prefix) && !r.name.slice(prefix.length).includes('/'));
}
