import { readFileSync } from 'node:fs';

/**
 * The first fenced code block of `language` after the line `heading` in a Markdown file, so a test
 * runs exactly what the README shows and the two cannot drift apart.
 */
export function readmeBlock(path: string, heading: string, language: string): string {
  const text = readFileSync(path, 'utf8');
  const at = text.split('\n').findIndex((line) => line.trim() === heading);
  if (at < 0) throw new Error(`${path} has no heading ${heading}`);
  const after = text.split('\n').slice(at + 1);
  const open = after.findIndex((line) => line.trim() === `\`\`\`${language}`);
  const close = after.findIndex((line, i) => i > open && line.trim() === '```');
  if (open < 0 || close < 0) throw new Error(`${path} has no ${language} block after ${heading}`);
  return `${after.slice(open + 1, close).join('\n')}\n`;
}
