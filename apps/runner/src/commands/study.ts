import type { Command } from 'commander';
import { IernError } from '@iern/core';
import { runStudy, type StudyMode } from '../study/study.js';
import { makeLogger, runCommand } from '../cli-helpers.js';

interface StudyFlags {
  full?: boolean;
  folds?: string;
  ratios?: string;
  seeds?: string;
  strategies?: string;
  workDir?: string;
  verbose?: boolean;
  validate?: boolean;
  resume?: boolean;
  jobs?: string;
}

const numbers = (flag: string) => (v: string | undefined) => {
  if (v === undefined) return undefined;
  const out = v.split(',').map((x) => Number(x.trim()));
  if (out.some((x) => !Number.isFinite(x))) throw new Error(`--${flag}: expected comma-separated numbers, got '${v}'`);
  return out;
};

function parseJobs(v: string | undefined): number | 'auto' | undefined {
  if (v === undefined || v === 'auto') return v;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new IernError(`--jobs: expected a positive integer or 'auto', got '${v}'`, 2);
  return n;
}

function addRun(cmd: Command, mode: StudyMode): Command {
  return cmd
    .argument('<config>', 'study file (e.g. configs/study/default.yaml)')
    .argument('[overrides...]', 'experiment key.path=value overrides applied to every run (e.g. train.epochs=2)')
    .option('--full', 'the full grid: all folds, bias 1.0 and 0.9, 3 seeds')
    .option('--folds <list>', 'folds to run, e.g. 1,2,3')
    .option('--ratios <list>', 'bias ratios r, e.g. 1,0.9')
    .option('--seeds <list>', 'training seeds, e.g. 0,1,2')
    .option('--strategies <list>', 'subset of the study strategies, e.g. baseline,recipe')
    .option('--work-dir <dir>', 'output folder (default work_dirs/study-<name>/<timestamp>)')
    .option('--validate', 'score on a validation split carved from the training data (choose settings without the test cells)')
    .option('--resume', 'reuse the run records already in --work-dir/runs')
    .option('--jobs <n>', "runs at a time, each in its own process ('auto' = one per core; default: the study file's jobs)")
    .option('--verbose', 'forward every training log line')
    .action((file: string, overrides: string[], flags: StudyFlags) =>
      runCommand(async () => {
        if (flags.resume && !flags.workDir) throw new IernError('--resume needs --work-dir (the folder of the study to continue)', 2);
        const logger = makeLogger();
        const out = await runStudy({
          configFile: file,
          overrides,
          mode,
          full: flags.full,
          folds: numbers('folds')(flags.folds),
          ratios: numbers('ratios')(flags.ratios),
          seeds: numbers('seeds')(flags.seeds),
          strategies: flags.strategies?.split(',').map((s) => s.trim()),
          workDir: flags.workDir,
          logger,
          verbose: flags.verbose,
          validate: flags.validate,
          resume: flags.resume,
          jobs: parseJobs(flags.jobs),
          command: ['iern', ...process.argv.slice(2)].join(' '),
        });
        process.stdout.write(out.markdown + '\n');
        process.stdout.write(`written: ${out.files.join(', ')}\n`);
      }),
    );
}

export function register(program: Command): void {
  const study = program
    .command('study')
    .description('the built-in benchmark study: strategies x folds x bias x seeds, one table (npm start runs it)');
  addRun(study.command('run', { isDefault: true }).description('train every strategy and print held-out / seen / per-emotion accuracy, leakage and stratum consistency'), 'study');
  addRun(study.command('leakage').description('leakage probe: linear probe of the confounder from e, c and f'), 'leakage');
  addRun(study.command('consistency').description('stratum consistency: share of test images with one argmax under every stratum'), 'consistency');
  addRun(study.command('sweep').description('bias sweep: held-out accuracy of baseline vs recipe for r in the sweep ratios'), 'sweep');
}
