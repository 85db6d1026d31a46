import type { EncryptionContext } from '@polykms/envelope';

/**
 * The encryption context serialized the way `RawAesKeyringNode` of the AWS Encryption SDK for
 * JavaScript does when `utf8Sorting` is not set: the same layout as the standard serialization
 * but pairs ordered by `String.prototype.localeCompare` on the keys instead of by UTF-8 bytes.
 * The orders differ as soon as keys differ in case (`a` < `B` by locale, `B` < `a` by bytes) or
 * contain characters outside ASCII, and such EDKs only open under the order they were sealed with.
 */
export function serializeContextInLocaleOrder(context: EncryptionContext): Buffer {
  const entries = Object.entries(context);
  if (entries.length === 0) return Buffer.alloc(0);
  entries.sort(([a], [b]) => a.localeCompare(b));
  const parts: Buffer[] = [u16(entries.length)];
  for (const [key, value] of entries) {
    const k = Buffer.from(key, 'utf8');
    const v = Buffer.from(value, 'utf8');
    parts.push(u16(k.length), k, u16(v.length), v);
  }
  return Buffer.concat(parts);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
