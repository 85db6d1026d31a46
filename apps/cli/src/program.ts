import { Command } from 'commander';
import { registerConfig } from './commands/config.js';
import { registerDecrypt } from './commands/decrypt.js';
import { registerDemo } from './commands/demo.js';
import { registerEmulator } from './commands/emulator.js';
import { registerKeys } from './commands/keys.js';
import { registerEncrypt } from './commands/encrypt.js';
import { registerInspect } from './commands/inspect.js';
import { registerKeyset } from './commands/keyset.js';
import { registerMigrate } from './commands/migrate.js';
import { registerRewrap } from './commands/rewrap.js';
import { loadPlugins } from './config/plugins.js';

const VERSION = '0.1.0';

export function buildProgram(): Command {
  const program = new Command('polykms')
    .version(VERSION)
    .description(
      'Envelope encryption over AWS KMS, Google Cloud KMS, Azure Key Vault and local key files, ' +
        'in the AWS Encryption SDK message format. Keys are named by URI:\n' +
        '  aws-kms://arn:aws:kms:<region>:<account>:key/<id>\n' +
        '  gcp-kms://projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>\n' +
        '  azure-kv://<vault-host>/keys/<name>[/<version>]\n' +
        '  local://<path-to-key-file>   (make one with `polykms keys generate`)\n\n' +
        'New here? Run `polykms demo`: the whole story on a local emulator, no account needed.',
    )
    .option(
      '--plugin <module>',
      'load a plug-in that adds a key URI scheme (a package name or a path; repeatable; also POLYKMS_PLUGINS=a,b)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .hook('preAction', async () => {
      await loadPlugins(program.opts<{ plugin: string[] }>().plugin);
    })
    .showHelpAfterError('(run with --help for usage)');
  registerEncrypt(program);
  registerDecrypt(program);
  registerInspect(program);
  registerRewrap(program);
  registerMigrate(program);
  registerKeyset(program);
  registerKeys(program);
  registerConfig(program);
  registerEmulator(program);
  registerDemo(program);
  program.addHelpText(
    'after',
    '\nExamples:\n' +
      '  polykms demo\n' +
      '  polykms encrypt orders.csv --key local://app.key -c tenant=acme\n' +
      '  polykms migrate ./archive --from aws-kms://arn:aws:kms:… --to gcp-kms://projects/…/cryptoKeys/k\n' +
      '\nExit codes: 0 ok, 1 unexpected, 2 usage, 3 not authentic, 4 no usable key or access denied,\n' +
      '5 context mismatch, 6 malformed input, 7 KMS unavailable, 8 file error, 9 migrate had\n' +
      'failures, 130 interrupted. Set POLYKMS_DEBUG=1 for stack traces.',
  );
  return program;
}
