#!/usr/bin/env node
import { main } from './main.js';

// Exit explicitly: KMS clients may keep sockets open after the work is done. Writes to stdout
// have completed by now (main awaits them), so nothing is cut short.
process.exit(await main(process.argv));
