import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { IernError, checkpointIncompatibilities, formatConfusion, loadCheckpoint, restoreStrategy } from '@iern/core';
import * as tf from '@tensorflow/tfjs-core';
import { resolveConfig } from '../experiment/resolve-config.js';
import { assembleExperiment, disposeExperiment } from '../experiment/assemble.js';
import { makeLogger, runCommand } from '../cli-helpers.js';

export function register(program: Command): void {
  program
    .command('eval')
    .description('evaluate a checkpoint on the test split of a config')
    .argument('<config>', 'YAML or JSON config file')
    .argument('[overrides...]', 'key.path=value overrides')
    .requiredOption('--checkpoint <path>', 'checkpoint file written by iern train')
    .option('--json', 'print the report as JSON')
    .action((file: string, overrides: string[], opts: { checkpoint: string; json?: boolean }) =>
      runCommand(async () => {
        const logger = makeLogger();
        const resolved = await resolveConfig(file, overrides);
        if (!existsSync(opts.checkpoint)) throw new IernError(`checkpoint not found or unreadable: ${opts.checkpoint} (ENOENT)`);
        // the backend is chosen while assembling; checkpoint tensors are created after that
        const exp = await assembleExperiment(resolved, { logger, splits: ['test'] });
        const ckpt = await loadCheckpoint(opts.checkpoint);
        const problems = checkpointIncompatibilities(ckpt.meta, resolved.config as unknown as Record<string, unknown>, exp.classes);
        if (problems.length) {
          tf.dispose([...ckpt.tensors.values()]);
          throw new IernError(`${opts.checkpoint}: incompatible with ${file}: ${problems.join('; ')}`);
        }
        await restoreStrategy(exp.strategy, ckpt, opts.checkpoint, false);
        if (ckpt.meta.extra?.['strategyState'] && exp.strategy.setState) exp.strategy.setState(ckpt.meta.extra['strategyState'] as Record<string, unknown>);
        tf.dispose([...ckpt.tensors.values()]);
        if (!exp.testSource) throw new IernError(`config has no data.test section to evaluate on`, 2);
        const result = await exp.trainer.evaluate(exp.strategy, exp.testSource, exp.classes);
        if (opts.json) process.stdout.write(JSON.stringify(result.report, null, 2) + '\n');
        else {
          process.stdout.write(`accuracy: ${(result.report.accuracy * 100).toFixed(2)}% (${result.report.correct}/${result.report.total})\n`);
          process.stdout.write(formatConfusion(result.report.confusion, exp.classes) + '\n');
        }
        await disposeExperiment(exp);
      }),
    );
}
