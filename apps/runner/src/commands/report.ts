import type { Command } from 'commander';
import * as path from 'node:path';
import { writeFileAtomic } from '@iern/core';
import { runCommand } from '../cli-helpers.js';
import { expandRunDirs, loadRun } from '../report/load-run.js';
import { renderReport } from '../report/html.js';

export function register(program: Command): void {
  program
    .command('report')
    .description('one self-contained HTML page for run folders: learning curves, confusion matrices, per-(confounder, emotion) accuracy, comparison table')
    .argument('<work_dirs...>', 'run folders written by iern train, or a folder of runs (work_dirs/<config name>)')
    .option('--out <file>', 'output HTML file', 'report.html')
    .action((dirs: string[], opts: { out: string }) =>
      runCommand(async () => {
        const runs = expandRunDirs(dirs).map((d) => loadRun(d));
        const out = path.resolve(opts.out);
        await writeFileAtomic(out, renderReport(runs));
        process.stdout.write(`report: ${out} (${runs.length} run${runs.length === 1 ? '' : 's'})\n`);
      }),
    );
}
