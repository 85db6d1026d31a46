import { format } from 'node:util';

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/**
 * Runs `action` with console output and writes to stdout/stderr captured instead of printed, and
 * returns what was written, so that a leak case can search a keyring's logs. Nothing captured is
 * printed afterwards: it may hold the very secret being searched for.
 */
export async function captureOutput<T>(action: () => Promise<T>): Promise<{ result: T; output: string }> {
  const chunks: string[] = [];
  const savedConsole = CONSOLE_METHODS.map((name) => [name, console[name]] as const);
  const savedStdout = process.stdout.write;
  const savedStderr = process.stderr.write;
  const capture = (chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('latin1'));
    return true;
  };
  for (const name of CONSOLE_METHODS) console[name] = (...args: unknown[]) => void capture(format(...args));
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  try {
    const result = await action();
    return { result, output: chunks.join('\n') };
  } finally {
    for (const [name, method] of savedConsole) console[name] = method;
    process.stdout.write = savedStdout;
    process.stderr.write = savedStderr;
  }
}
