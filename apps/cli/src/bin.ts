#!/usr/bin/env node
import { main } from './main.js';

// `polykms … | head`: the reader went away. Nothing more can be said on stdout; stop quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(8);
  throw error;
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
