import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/program.js';

function everyCommand(command: Command): Command[] {
  return [command, ...command.commands.flatMap(everyCommand)];
}

function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  command.outputHelp();
  return text;
}

describe('--help', () => {
  const commands = everyCommand(buildProgram());
  it.each(commands.map((c) => [c.name(), c] as const))('of %s shows examples', (_name, command) => {
    expect(helpOf(command)).toMatch(/\nExamples?:\n {2}polykms /);
  });
});
