#!/usr/bin/env node
// First: V8 settings that must precede the loading of everything else.
import './v8-settings.js';
import { stdoutFailure } from './io/stdout-failure.js';
import { main } from './main.js';

// `polykms … | head`, a full disk or a file-size limit behind `> file`: nothing more can be said
// on stdout; say why on stderr and stop with the file error code.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  const code = stdoutFailure(error, (line) => process.stderr.write(`${line}\n`));
  if (code === undefined) throw error;
  process.exit(code);
});

const code = await main(process.argv);
// Exit explicitly: KMS clients may keep sockets open after the work is done. First let stdout and
// stderr flush: a write callback runs only after every earlier write on that stream has finished,
// and a pipe whose reader is slow may still hold the end of a decrypted stream.
await Promise.all(
  [process.stdout, process.stderr].map(
    (stream) => new Promise<void>((resolve) => stream.write('', () => resolve())),
  ),
);
process.exit(code);
