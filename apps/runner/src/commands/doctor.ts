import type { Command } from 'commander';
import { diagnoseBackends, formatDiagnosis } from '@iern/core';
import { runCommand } from '../cli-helpers.js';

export function register(program: Command): void {
  program
    .command('doctor')
    .description('check the tensor backends: which load, versions, threads, SIMD, whether they can train, and what `auto` picks')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) =>
      runCommand(async () => {
        const d = await diagnoseBackends();
        process.stdout.write(opts.json ? JSON.stringify(d, null, 2) + '\n' : formatDiagnosis(d) + '\n');
        if (!d.auto) process.exitCode = 1;
      }),
    );
}
