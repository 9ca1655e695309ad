import type { Command } from 'commander';

/**
 * Every `iern` sub-command lives in its own file in this folder and exports
 * `register(program)`. Add a command by copying a sibling and listing it here.
 */
export type CommandModule = { register(program: Command): void };

export async function loadCommands(): Promise<CommandModule[]> {
  return [
    await import('./train.js'),
    await import('./eval.js'),
    await import('./list.js'),
    await import('./print-config.js'),
    // more commands are appended below (one import per line)
    await import('./weights.js'),
    await import('./study.js'),
    await import('./data-inspect.js'),
    await import('./predict.js'),
    await import('./report.js'),
    await import('./doctor.js'),
  ];
}
