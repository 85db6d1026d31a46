import { describe, expect, it } from 'vitest';
import { printable } from '../src/io/terminal-text.js';

describe('printable', () => {
  it('shows line breaks, escape sequences, C1 controls and bidi overrides as escapes', () => {
    expect(printable('a\nb\r\tc')).toBe('a\\nb\\r\\tc');
    expect(printable('\u001b[2J\u0007\u007f\u009b')).toBe('\\x1b[2J\\x07\\x7f\\x9b');
    expect(printable('invoice\u202Efdp.exe')).toBe('invoice\\u202efdp.exe');
  });

  it('leaves ordinary text, non-Latin letters and emoji as they are', () => {
    const text = 'tenant=acme, Zürich, 東京, 🔑 /path/to file.pkms';
    expect(printable(text)).toBe(text);
  });
});
