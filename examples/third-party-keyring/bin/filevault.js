#!/usr/bin/env node
// The vault's admin side from a shell: filevault create-key|rotate-key|disable-key|enable-key FILE KEY
import { FileVault } from '../src/vault.js';

const commands = {
  'create-key': 'createKey',
  'rotate-key': 'rotateKey',
  'disable-key': 'disableKey',
  'enable-key': 'enableKey',
};
const [command, file, keyName] = process.argv.slice(2);
const method = Object.hasOwn(commands, command ?? '') ? commands[command] : undefined;
if (method === undefined || file === undefined || keyName === undefined) {
  console.error(`usage: filevault ${Object.keys(commands).join('|')} <vault file> <key name>`);
  process.exit(2);
}
try {
  await new FileVault(file)[method](keyName);
} catch (error) {
  console.error(`filevault: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
