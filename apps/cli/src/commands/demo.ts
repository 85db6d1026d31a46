import type { Command } from 'commander';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .summary('the migration story on a built-in emulator: no account needed (start here)')
    .description(
      'Creates keys in emulated AWS, Google Cloud and Azure, encrypts a file for two clouds, decrypts ' +
        'it with each, survives an AWS outage, shows the data-key cache, puts 1,000 records under a ' +
        'keyset and moves the keyset from AWS to Azure without touching them, shows an old keyset copy ' +
        'dying with its AWS key, migrates a standalone file under the keyset by re-encryption, and ' +
        'shows tampering being caught. Takes well under a minute.',
    )
    .option('--keep', 'keep the working directory with the demo files')
    .addHelpText(
      'after',
      '\nExamples:\n  polykms demo\n  polykms demo --keep      # and look at the files it made afterwards',
    )
    .action(async (flags: { keep?: boolean }) => {
      const { runDemo } = await import('../demo/run-demo.js');
      await runDemo({ keep: flags.keep === true, color: process.stdout.isTTY === true });
    });
}
