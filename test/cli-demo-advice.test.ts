import { spawn } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realClouds } from '../apps/cli/src/demo/steps/real-clouds.js';
import type { DemoContext } from '../apps/cli/src/demo/context.js';
import { CLI_BIN, ensureCliBuilt, workDir } from './cli-harness.js';

// The demo ends by telling the user that, with the emulator started as it shows, every command it
// listed works with no account. This runs that advice verbatim, as a user would paste it.
let dir: string;
let cleanup: () => Promise<void>;

async function closingText(): Promise<string> {
  let text = '';
  const narrator = { say: (t: string) => (text += `${t}\n`) };
  await realClouds.run({ narrator } as unknown as DemoContext);
  return text;
}

/** The indented command lines of a paragraph, with `\` continuations joined. */
function commandLines(paragraph: string): string[] {
  return paragraph
    .replaceAll('\\\n', ' ')
    .split('\n')
    .filter((line) => line.startsWith('  '))
    .map((line) => line.trim());
}

function bash(script: string, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], {
      cwd,
      env: { PATH: `${join(cwd, 'bin')}:${process.env['PATH'] ?? ''}`, HOME: cwd },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

beforeAll(async () => {
  await ensureCliBuilt();
  ({ dir, cleanup } = await workDir());
  await mkdir(join(dir, 'bin'));
  await writeFile(join(dir, 'bin', 'polykms'), `#!/bin/sh\nexec "${process.execPath}" "${CLI_BIN}" "$@"\n`);
  await chmod(join(dir, 'bin', 'polykms'), 0o755);
}, 120_000);

afterAll(() => cleanup?.());

describe("the demo's closing advice", () => {
  it('runs verbatim against the emulator it tells the user to start: every command listed succeeds', async () => {
    const text = await closingText();
    const [realCloudPart, localPart] = text.split('Or keep playing locally');
    expect(localPart, 'the demo no longer offers a local emulator').toBeDefined();
    const setup = commandLines(localPart ?? '');
    const commands = commandLines(realCloudPart ?? '').filter((line) => line.startsWith('polykms '));
    expect(setup.some((line) => line.startsWith('polykms emulator '))).toBe(true);
    expect(commands.length).toBeGreaterThanOrEqual(5);

    // The files the commands name: a CSV, a record, and an archive holding one AWS message.
    await writeFile(join(dir, 'orders.csv'), 'id,total\n1,10\n2,20\n');
    await writeFile(join(dir, 'record.json'), '{"id":1}\n');
    await mkdir(join(dir, 'archive'));
    await writeFile(join(dir, 'archive', 'old.txt'), 'an old record\n');
    const [start, ...rest] = setup;
    expect(start?.endsWith(' &'), 'the emulator is started in the background').toBe(true);
    const script = [
      'set -eu',
      // As advised, in the background; its pid is kept so that the script stops it at the end.
      `${start?.slice(0, -2)} > emulator.log 2>&1 &`,
      'EMULATOR=$!',
      "trap 'kill $EMULATOR' EXIT",
      ...rest,
      'polykms encrypt archive/old.txt --key "$AWS" && rm archive/old.txt',
      ...commands,
      'cmp orders.csv orders-copy.csv',
    ];
    const { code, output } = await bash(script.join('\n'), dir);
    expect(code, output.slice(-3000)).toBe(0);
    const migrated = await readFile(join(dir, 'archive', 'old.txt.pkms'));
    expect(migrated.length).toBeGreaterThan(0);
  }, 180_000);
});
