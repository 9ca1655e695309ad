import type { Command } from 'commander';
import { resolveConfig } from '../experiment/resolve-config.js';
import { configToYaml } from '../experiment/run.js';
import { runCommand } from '../cli-helpers.js';

export function register(program: Command): void {
  program
    .command('print-config')
    .description('print the resolved config (inheritance, overrides and defaults applied, validated)')
    .argument('<config>', 'YAML or JSON config file')
    .argument('[overrides...]', 'key.path=value overrides (value parsed as YAML); ~key.path deletes')
    .option('--json', 'print JSON instead of YAML')
    .action((file: string, overrides: string[], opts: { json?: boolean }) =>
      runCommand(async () => {
        const { config } = await resolveConfig(file, overrides);
        process.stdout.write(opts.json ? JSON.stringify(config, null, 2) + '\n' : configToYaml(config));
      }),
    );
}
