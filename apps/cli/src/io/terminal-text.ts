/**
 * Control characters (C0, DEL, C1) and bidirectional overrides, which can move the cursor, clear
 * the screen, start a new line or reorder text: from a message header or a file name they could
 * forge the lines around them.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Untrusted text made safe for a terminal: every control character shown as an escape (`\n`,
 * `\x1b`, `\u202e`), so that what is printed cannot pass for output of its own. Not for JSON.
 */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
