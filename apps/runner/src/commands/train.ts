import type { Command } from 'commander';
import * as path from 'node:path';
import { writeFileAtomic } from '@iern/core';
import { resolveConfig } from '../experiment/resolve-config.js';
import { assembleExperiment } from '../experiment/assemble.js';
import { trainAndEvaluate, configToYaml } from '../experiment/run.js';
import { makeWorkDir } from '../experiment/work-dir.js';
import { makeLogger, runCommand } from '../cli-helpers.js';

export function register(program: Command): void {
  program
    .command('train')
    .description('train an experiment, evaluate it on the test split and write a checkpoint')
    .argument('<config>', 'YAML or JSON config file')
    .argument('[overrides...]', 'key.path=value overrides (value parsed as YAML)')
    .option('--work-dir <dir>', 'output folder (default work_dirs/<config name>/<timestamp>)')
    .action((file: string, overrides: string[], opts: { workDir?: string }) =>
      runCommand(async () => {
        const logger = makeLogger();
        const resolved = await resolveConfig(file, overrides);
        const workDir = makeWorkDir(resolved.name, opts.workDir ?? resolved.config.workDir);
        logger.info(`work dir: ${workDir}`);
        await writeFileAtomic(path.join(workDir, 'config.yaml'), configToYaml(resolved.config));
        await writeFileAtomic(path.join(workDir, 'overrides.txt'), overrides.join('\n') + (overrides.length ? '\n' : ''));
        const exp = await assembleExperiment(resolved, { logger });
        const result = await trainAndEvaluate(exp, { workDir });
        if (result.test) process.stdout.write(`accuracy: ${(result.test.report.accuracy * 100).toFixed(2)}%\n`);
        exp.strategy.dispose();
      }),
    );
}
