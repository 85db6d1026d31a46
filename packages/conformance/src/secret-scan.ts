/**
 * Finds a secret (data key, plaintext) in text, in the encodings a careless log line or error
 * message would use: hex (either case), base64, base64url, raw bytes as Latin-1, and the decimal
 * list that `Uint8Array#toString` and `JSON.stringify(buffer)` print. A window of 9 bytes of the
 * secret is enough to count as a leak, so truncated dumps are caught too.
 */
const WINDOW = 9;

function encodings(window: Buffer): string[] {
  const hex = window.toString('hex');
  return [
    hex,
    hex.toUpperCase(),
    window.toString('base64'),
    window.toString('base64url'),
    window.toString('latin1'),
    Array.from(window).join(','),
  ];
}

export interface Secret {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Returns a description of each leak found, e.g. `data key (base64) in error.message`. */
export function findSecrets(secrets: readonly Secret[], texts: readonly { where: string; text: string }[]) {
  const leaks: string[] = [];
  const labels = ['hex', 'HEX', 'base64', 'base64url', 'raw bytes', 'decimal list'];
  for (const secret of secrets) {
    const bytes = Buffer.from(secret.bytes);
    const needles = new Map<string, string>();
    for (let start = 0; start + WINDOW <= bytes.length; start++) {
      encodings(bytes.subarray(start, start + WINDOW)).forEach((needle, i) => {
        if (!needles.has(needle)) needles.set(needle, labels[i] ?? 'encoding');
      });
    }
    for (const { where, text } of texts) {
      for (const [needle, label] of needles) {
        if (text.includes(needle)) {
          leaks.push(`${secret.name} (${label}) in ${where}`);
          break;
        }
      }
    }
  }
  return leaks;
}

/** The text an error exposes: message, stack and own string properties, through causes and failures. */
export function errorTexts(error: unknown, where: string, depth = 0): { where: string; text: string }[] {
  if (depth > 5 || error === null || typeof error !== 'object') {
    return typeof error === 'string' ? [{ where, text: error }] : [];
  }
  const texts: { where: string; text: string }[] = [];
  const record = error as Record<string, unknown>;
  if (error instanceof Error) {
    texts.push({ where: `${where}.message`, text: error.message });
    if (error.stack) texts.push({ where: `${where}.stack`, text: error.stack });
  }
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === 'string') texts.push({ where: `${where}.${key}`, text: value });
  }
  if ('cause' in record) texts.push(...errorTexts(record['cause'], `${where}.cause`, depth + 1));
  const failures = record['failures'];
  if (Array.isArray(failures)) {
    failures.forEach((f: unknown, i) => {
      const failure = f as { recipient?: unknown; error?: unknown };
      if (typeof failure.recipient === 'string') {
        texts.push({ where: `${where}.failures[${i}].recipient`, text: failure.recipient });
      }
      texts.push(...errorTexts(failure.error, `${where}.failures[${i}].error`, depth + 1));
    });
  }
  return texts;
}

/** Serializes a diagnostics event, showing any bytes it carries as hex so that the scan sees them. */
export function eventText(event: unknown): string {
  return JSON.stringify(event, (_key, value: unknown) =>
    value instanceof Uint8Array ? Buffer.from(value).toString('hex') : value,
  );
}
