import type { Command } from 'commander';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { ConsoleLogger, TerminalProgress, writeFileAtomic, type LogLevel } from '@iern/core';
import { resolveConfig } from '../experiment/resolve-config.js';
import { assembleExperiment, disposeExperiment } from '../experiment/assemble.js';
import { trainAndEvaluate, configToYaml } from '../experiment/run.js';
import { findResumeCheckpoint, makeWorkDir } from '../experiment/work-dir.js';
import { attachLogFile } from '../hooks/log-file.js';
import { runCommand } from '../cli-helpers.js';

interface TrainOptions {
  workDir?: string;
  resume?: string | true;
  progress?: boolean;
}

/** Logger on stderr; on a terminal, log lines are printed above the progress bar. */
function makeTrainLogger(useBar: boolean): { logger: ConsoleLogger; terminal?: TerminalProgress } {
  const level = (process.env['IERN_LOG_LEVEL'] as LogLevel) ?? 'info';
  if (!useBar) return { logger: new ConsoleLogger(level) };
  const stderr = process.stderr as NodeJS.WriteStream;
  const terminal = new TerminalProgress({ write: (s: string) => stderr.write(s), get columns() { return stderr.columns || 100; } });
  const stream = new Writable({
    write(chunk, _enc, cb) {
      terminal.printAbove(String(chunk));
      cb();
    },
  });
  return { logger: new ConsoleLogger(level, stream), terminal };
}

export function register(program: Command): void {
  program
    .command('train')
    .description('train an experiment, evaluate it on the test split and write a run folder (metrics, TensorBoard events, checkpoints)')
    .argument('<config>', 'YAML or JSON config file')
    .argument('[overrides...]', 'key.path=value overrides (value parsed as YAML)')
    .option('--work-dir <dir>', 'output folder (default work_dirs/<config name>/<timestamp>)')
    .option('--resume [checkpoint]', "continue a run: a checkpoint file, or 'auto' (default) = the newest last.ckpt of this config")
    .option('--no-progress', 'plain progress lines even on a terminal')
    .action((file: string, overrides: string[], opts: TrainOptions) =>
      runCommand(async () => {
        const useBar = Boolean(process.stderr.isTTY) && opts.progress !== false;
        const { logger, terminal } = makeTrainLogger(useBar);
        const resolved = await resolveConfig(file, overrides);
        const explicitDir = opts.workDir ?? resolved.config.workDir;
        let resume: string | undefined;
        if (opts.resume !== undefined) {
          resume = opts.resume === true || opts.resume === 'auto' ? findResumeCheckpoint(resolved.name, explicitDir) : path.resolve(opts.resume);
        }
        // A resumed run continues in its own folder unless told otherwise.
        const workDir = makeWorkDir(resolved.name, explicitDir ?? (resume ? path.dirname(resume) : undefined));
        attachLogFile(logger, path.join(workDir, 'train.log'));
        logger.info(`work dir: ${workDir}`);
        await writeFileAtomic(path.join(workDir, 'config.yaml'), configToYaml(resolved.config));
        await writeFileAtomic(path.join(workDir, 'overrides.txt'), overrides.join('\n') + (overrides.length ? '\n' : ''));
        const exp = await assembleExperiment(resolved, { logger });
        try {
          const result = await trainAndEvaluate(exp, { workDir, resume, terminal });
          if (result.test) process.stdout.write(`accuracy: ${(result.test.report.accuracy * 100).toFixed(2)}%\n`);
          process.stdout.write(`work dir: ${workDir}\n`);
        } finally {
          await disposeExperiment(exp);
        }
      }),
    );
}
