import type { Command } from 'commander';
import { container } from 'tsyringe';
import { Registries, TOKENS } from '@iern/core';
import { loadPlugins } from '../experiment/plugins.js';
import { runCommand } from '../cli-helpers.js';

export function register(program: Command): void {
  program
    .command('list')
    .description('list registered plugins by kind (backbones, datasets, strategies, ...) with their package and description')
    .option('--plugin <spec...>', 'also load these plugins (package names or local .js/.ts files)')
    .option('--json', 'print JSON')
    .action((opts: { plugin?: string[]; json?: boolean }) =>
      runCommand(async () => {
        const child = container.createChildContainer();
        const registries = new Registries();
        child.register(TOKENS.Registries, { useValue: registries });
        await loadPlugins(opts.plugin ?? [], process.cwd(), registries, child);
        const kinds = registries.all().map((r) => ({
          kind: r.kind,
          entries: r.list().map((e) => ({ type: e.type, package: e.package, description: e.description })),
        }));
        if (opts.json) {
          process.stdout.write(JSON.stringify(kinds, null, 2) + '\n');
          return;
        }
        for (const { kind, entries } of kinds) {
          process.stdout.write(`${kind}s (${entries.length}):\n`);
          const w = Math.max(8, ...entries.map((e) => e.type.length));
          const p = Math.max(8, ...entries.map((e) => e.package.length));
          for (const e of entries) process.stdout.write(`  ${e.type.padEnd(w)}  ${e.package.padEnd(p)}  ${e.description}\n`);
          process.stdout.write('\n');
        }
      }),
    );
}
