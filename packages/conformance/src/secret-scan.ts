/**
 * Finds a secret (data key, plaintext) in text, in the encodings a careless log line or error
 * message would use: hex (either case; contiguous, or bytes separated by spaces as in
 * `<Buffer ab cd …>` or by colons), base64, base64url, raw bytes as Latin-1, and the decimal
 * lists that `Uint8Array#toString`, `JSON.stringify(buffer)` and `util.inspect(uint8array)`
 * print. A window of 9 bytes of the secret is enough to count as a leak, so truncated dumps are
 * caught too.
 */
export const SECRET_WINDOW_BYTES = 9;
const WINDOW = SECRET_WINDOW_BYTES;

const ENCODINGS: readonly [label: string, encode: (window: Buffer) => string][] = [
  ['hex', (w) => w.toString('hex')],
  ['HEX', (w) => w.toString('hex').toUpperCase()],
  ['spaced hex', (w) => hexBytes(w).join(' ')],
  ['spaced HEX', (w) => hexBytes(w).join(' ').toUpperCase()],
  ['colon hex', (w) => hexBytes(w).join(':')],
  ['colon HEX', (w) => hexBytes(w).join(':').toUpperCase()],
  ['base64', (w) => w.toString('base64')],
  ['base64url', (w) => w.toString('base64url')],
  ['raw bytes', (w) => w.toString('latin1')],
  ['decimal list', (w) => Array.from(w).join(',')],
  ['decimal list', (w) => Array.from(w).join(', ')],
];

function hexBytes(window: Buffer): string[] {
  return Array.from(window, (byte) => byte.toString(16).padStart(2, '0'));
}

export interface Secret {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Returns a description of each leak found, e.g. `data key (base64) in error.message`. */
export function findSecrets(secrets: readonly Secret[], texts: readonly { where: string; text: string }[]) {
  const leaks: string[] = [];
  for (const secret of secrets) {
    const bytes = Buffer.from(secret.bytes);
    const needles = new Map<string, string>();
    for (let start = 0; start + WINDOW <= bytes.length; start++) {
      const window = bytes.subarray(start, start + WINDOW);
      for (const [label, encode] of ENCODINGS) {
        const needle = encode(window);
        if (!needles.has(needle)) needles.set(needle, label);
      }
    }
    for (const { where, text } of texts) {
      // util.inspect breaks long byte lists over lines: `12, 34,\n  56`.
      const flat = text.replace(/\s+/g, ' ');
      for (const [needle, label] of needles) {
        if (text.includes(needle) || flat.includes(needle)) {
          leaks.push(`${secret.name} (${label}) in ${where}`);
          break;
        }
      }
    }
  }
  return leaks;
}

type Text = { where: string; text: string };

const MAX_DEPTH = 8;
const MAX_TEXTS = 5000;

/**
 * The text an error exposes, wherever a logger or test runner might find it: message and stack,
 * then every own property, walked through nested objects, arrays, causes and recipient failures
 * (depth- and cycle-bounded). Strings are read as they are; byte arrays (Uint8Array, Buffer,
 * ArrayBuffer) as their raw bytes, so `err.request = { plaintext: bytes }` is seen too.
 */
export function errorTexts(error: unknown, where: string): Text[] {
  const texts: Text[] = [];
  walk(error, where, 0, new WeakSet(), texts);
  return texts;
}

function walk(value: unknown, where: string, depth: number, seen: WeakSet<object>, texts: Text[]): void {
  if (texts.length >= MAX_TEXTS) return;
  if (typeof value === 'string') {
    texts.push({ where, text: value });
    return;
  }
  if (ArrayBuffer.isView(value)) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    texts.push({ where, text: bytes.toString('latin1') });
    return;
  }
  if (value instanceof ArrayBuffer) {
    texts.push({ where, text: Buffer.from(value).toString('latin1') });
    return;
  }
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH || seen.has(value)) return;
  seen.add(value);
  if (value instanceof Error) {
    texts.push({ where: `${where}.message`, text: value.message });
    if (value.stack) texts.push({ where: `${where}.stack`, text: value.stack });
  }
  if (value instanceof Map) {
    for (const [key, entry] of value) walk(entry, `${where}.get(${String(key)})`, depth + 1, seen, texts);
    return;
  }
  if (value instanceof Set) {
    for (const entry of value) walk(entry, `${where}[entry]`, depth + 1, seen, texts);
    return;
  }
  // Own names, not just enumerable ones: `cause` on an Error is not enumerable.
  for (const key of Object.getOwnPropertyNames(value)) {
    if (value instanceof Error && (key === 'message' || key === 'stack')) continue;
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (!descriptor || !('value' in descriptor)) continue; // never run getters
    const path = Array.isArray(value) ? `${where}[${key}]` : `${where}.${key}`;
    walk(descriptor.value, path, depth + 1, seen, texts);
  }
}

/** Serializes a diagnostics event, showing any bytes it carries as hex so that the scan sees them. */
export function eventText(event: unknown): string {
  return JSON.stringify(event, (_key, value: unknown) =>
    value instanceof Uint8Array ? Buffer.from(value).toString('hex') : value,
  );
}
