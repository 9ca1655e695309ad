import 'reflect-metadata';
import { Command } from 'commander';
import { createRequire } from 'node:module';
import { loadCommands } from './commands/index.js';

const require = createRequire(import.meta.url);
const { version } = require('../package.json') as { version: string };

/** Builds the `iern` program with every command registered. */
export async function buildProgram(): Promise<Command> {
  const program = new Command('iern')
    .description('iern: unbiased visual emotion recognition (IERN, ACM MM 2022) on TensorFlow.js')
    .version(version)
    .showHelpAfterError('(run with --help for usage)');
  for (const cmd of await loadCommands()) cmd.register(program);
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  const program = await buildProgram();
  program.exitOverride((err) => {
    process.exit(err.exitCode === 1 && err.code !== 'commander.help' ? 2 : err.exitCode);
  });
  await program.parseAsync(argv);
}
