import * as path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { IernError, writeFileAtomic, type BackendInfo, type Logger } from '@iern/core';
import { makeWorkDir } from '../experiment/work-dir.js';
import { loadStudyConfig, toOverrides, type StudyConfig, type StudyGrid } from './config.js';
import { gridOverrides, isUnknownStrategy, runName, runOne, type RunRecord, type RunSpec } from './run-one.js';
import { aggregate, compare, type Stat, type StrategyRow } from './aggregate.js';
import { studyMarkdown } from './report.js';
import { writeConfusionPng } from './confusion-png.js';
import { runLogger } from './run-logger.js';
import { runParallel, type ChildRequest, type RunOutcome } from './parallel.js';
import * as os from 'node:os';

export type StudyMode = 'study' | 'leakage' | 'consistency' | 'sweep';

export interface StudyOptions {
  configFile: string;
  /** Experiment overrides from the command line (applied after the strategy's and the grid's). */
  overrides?: string[];
  mode?: StudyMode;
  /** Use the `full` grid. */
  full?: boolean;
  /** Explicit grid parts and strategy subset (beat `full`). */
  folds?: number[];
  ratios?: number[];
  seeds?: number[];
  strategies?: string[];
  workDir?: string;
  logger: Logger;
  /** Forward every training log line (default: one line per epoch). */
  verbose?: boolean;
  /** Shown in the report. */
  command?: string;
  /**
   * Score on a validation split carved from each fold's training data (`split: val-train`
   * / `val`) instead of the test split: for choosing settings without the test cells.
   */
  validate?: boolean;
  /** Reuse run records already in `<workDir>/runs` (same names) instead of training them again. */
  resume?: boolean;
  /** Runs at a time, each in its own process (`auto`: one per core). Default: the study file's `jobs`. */
  jobs?: number | 'auto';
}

export interface StudyOutput {
  workDir: string;
  records: RunRecord[];
  rows: StrategyRow[];
  markdown: string;
  files: string[];
  seconds: number;
}

/** The grid, strategies and analyses a mode runs. */
export function planStudy(cfg: StudyConfig, o: Pick<StudyOptions, 'mode' | 'full' | 'folds' | 'ratios' | 'seeds' | 'strategies'>): { grid: StudyGrid; strategies: string[]; analyses: { leakage: boolean; consistency: boolean } } {
  const mode = o.mode ?? 'study';
  const base: StudyGrid = o.full ? cfg.full : { folds: cfg.folds, ratios: cfg.ratios, seeds: cfg.seeds };
  const all = Object.keys(cfg.strategies);
  let strategies = o.strategies ?? all;
  let ratios = o.ratios ?? base.ratios;
  if (mode === 'sweep') {
    ratios = o.ratios ?? cfg.sweep.ratios;
    strategies = o.strategies ?? cfg.sweep.strategies ?? [cfg.roles.baseline, cfg.roles.recipe].filter((s): s is string => !!s);
    if (strategies.length === 0) throw new Error('study sweep: name sweep.strategies or roles.baseline / roles.recipe in the study file');
  }
  for (const s of strategies) if (!all.includes(s)) throw new Error(`study: unknown strategy '${s}' (the study has ${all.join(', ')})`);
  const analyses = {
    leakage: mode === 'leakage' || (mode === 'study' && cfg.analyses.leakage),
    consistency: mode === 'consistency' || (mode === 'study' && cfg.analyses.consistency),
  };
  return { grid: { folds: o.folds ?? base.folds, ratios, seeds: o.seeds ?? base.seeds }, strategies, analyses };
}

/**
 * Runs the study: every strategy on every (ratio, fold, seed) of the grid, then writes the
 * table (Markdown and JSON), one held-out-cell confusion PNG per strategy and ratio, and one
 * record per run (written as each run ends).
 */
export async function runStudy(o: StudyOptions): Promise<StudyOutput> {
  const t0 = performance.now();
  const cfg = loadStudyConfig(o.configFile);
  const mode = o.mode ?? 'study';
  const plan = planStudy(cfg, o);
  const workDir = makeWorkDir(`study-${cfg.name}${mode === 'study' ? '' : `-${mode}`}${o.validate ? '-val' : ''}`, o.workDir);
  const splitOverrides = o.validate ? ['data.train.split=val-train', 'data.test.split=val'] : [];
  const runsDir = path.join(workDir, 'runs');
  const total = plan.grid.ratios.length * plan.grid.folds.length * plan.grid.seeds.length * plan.strategies.length;
  o.logger.info(`study ${cfg.name} (${mode}${o.validate ? ', validation split' : ''}): ${plan.strategies.length} strategies x ratios [${plan.grid.ratios.join(', ')}] x folds [${plan.grid.folds.join(', ')}] x seeds [${plan.grid.seeds.join(', ')}] = ${total} runs; work dir ${workDir}`);
  const records: RunRecord[] = [];
  const unavailable = new Map<string, string>();
  let started = 0;
  let backend: BackendInfo | undefined;
  let classes: string[] = [];
  const pending: RunSpec[] = [];
  for (const ratio of plan.grid.ratios) {
    for (const fold of plan.grid.folds) {
      for (const seed of plan.grid.seeds) {
        for (const strategy of plan.strategies) {
          const spec = { strategy, fold, ratio, seed, overrides: [...toOverrides(cfg.strategies[strategy]!), ...gridOverrides(fold, ratio, seed), ...splitOverrides, ...(o.overrides ?? [])] };
          const name = runName(spec);
          const previous = o.resume ? readRecord(path.join(runsDir, `${name}.json`)) : undefined;
          if (!previous) {
            pending.push(spec);
            continue;
          }
          records.push(previous);
          started++;
          o.logger.info(`[${name}] reused ${path.join(runsDir, `${name}.json`)}`);
        }
      }
    }
  }
  const finished = (r: RunRecord) => {
    records.push(r);
    o.logger.info(`[${runName(r)}] held-out ${(r.heldOut * 100).toFixed(1)}% seen ${(r.seen * 100).toFixed(1)}% overall ${(r.overall * 100).toFixed(1)}% (${r.seconds.toFixed(0)} s)`);
  };
  const skip = (strategy: string, why: string) => {
    unavailable.set(strategy, why);
    o.logger.warn(`study: strategy '${strategy}' skipped: ${why}`);
  };
  const jobs = resolveJobs(o.jobs ?? cfg.jobs, pending.length);
  if (jobs > 1) {
    o.logger.info(`study: ${jobs} runs at a time, each in its own process`);
    const requests: ChildRequest[] = pending.map((spec) => ({ spec, options: { experimentFile: cfg.experimentFile, analyses: plan.analyses, runsDir }, verbose: o.verbose ?? false }));
    await runParallel(requests, jobs, {
      skip: (r) => unavailable.has(r.spec.strategy),
      onStart: (r) => o.logger.info(`run ${++started}/${total}: ${runName(r.spec)}`),
      onDone: (out: RunOutcome) => ('record' in out ? finished(out.record) : skip(out.spec.strategy, out.unavailable)),
    });
  } else {
    for (const spec of pending) {
      if (unavailable.has(spec.strategy)) continue;
      const name = runName(spec);
      o.logger.info(`run ${++started}/${total}: ${name}`);
      try {
        const res = await runOne(spec, { experimentFile: cfg.experimentFile, logger: runLogger(o.logger, name, o.verbose ?? false), backend, analyses: plan.analyses, runsDir, onClasses: (c) => (classes = c) });
        backend = res.backend;
        finished(res.record);
      } catch (e) {
        // a strategy whose plugin is not installed: report it and run the others
        if (isUnknownStrategy(e)) skip(spec.strategy, e.message);
        else throw e;
      }
    }
  }
  // table order: the grid's, whatever order the runs ended in
  const order = (r: Pick<RunSpec, 'strategy' | 'fold' | 'ratio' | 'seed'>) =>
    [plan.grid.ratios.indexOf(r.ratio), plan.grid.folds.indexOf(r.fold), plan.grid.seeds.indexOf(r.seed), plan.strategies.indexOf(r.strategy)];
  records.sort((a, b) => {
    const [x, y] = [order(a), order(b)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return 0;
  });
  if (classes.length === 0) classes = records.find((r) => r.classes)?.classes ?? [];
  if (records.length === 0) throw new IernError(`study ${cfg.name}: no run finished (${[...unavailable.values()].join('; ')})`);
  const rows = aggregate(records, plan.strategies, classes);
  const notes = [...unavailable].map(([s, why]) => `**Not run: \`${s}\`** (${why}).`);
  const { baseline, recipe, augmentedBaseline } = cfg.roles;
  const has = (s?: string): s is string => !!s && plan.strategies.includes(s);
  const comparisons = [
    ...(has(recipe) && has(baseline) ? [{ label: `${recipe} - ${baseline} (paired by fold and seed)`, items: compare(records, recipe, baseline), target: true }] : []),
    ...(has(recipe) && has(augmentedBaseline) ? [{ label: `${recipe} - ${augmentedBaseline}: the intervention's own share`, items: compare(records, recipe, augmentedBaseline), target: false }] : []),
    ...plan.strategies.filter((s) => s !== baseline && s !== recipe && has(baseline)).map((s) => ({ label: `${s} - ${baseline}`, items: compare(records, s, baseline!), target: false })),
  ];
  const seconds = (performance.now() - t0) / 1000;
  const command = o.command ?? `iern study ${mode === 'study' ? '' : `${mode} `}${path.relative(process.cwd(), cfg.file)}${o.full ? ' --full' : ''}`;
  let markdown = studyMarkdown({ title: `Study ${cfg.name}${mode === 'study' ? '' : ` (${mode})`}${o.validate ? ' on the VALIDATION split (test cells untouched)' : ''}`, command, rows, classes, comparisons: mode === 'study' || mode === 'sweep' ? comparisons : [], seconds, notes: notes.length ? [...notes, ''] : [] });
  if (mode === 'sweep') markdown = sweepMarkdown(rows) + '\n' + markdown;
  const files = [path.join(workDir, 'study.md'), path.join(workDir, 'study.json')];
  await writeFileAtomic(files[0]!, markdown);
  await writeFileAtomic(files[1]!, JSON.stringify({ study: cfg.name, mode, validation: o.validate ?? false, command, grid: plan.grid, strategies: plan.strategies, notRun: Object.fromEntries(unavailable), classes, rows, comparisons, seconds, records }, null, 2));
  for (const row of rows) {
    const file = path.join(workDir, `confusion-${row.strategy.replace(/[^A-Za-z0-9_.-]+/g, '_')}-r${row.ratio}.png`);
    await writeConfusionPng(file, row.heldOutConfusion, classes, `${row.strategy}, r = ${row.ratio}: held-out cells (${row.runs} runs)`);
    files.push(file);
  }
  return { workDir, records, rows, markdown, files, seconds };
}

/** `auto` = one run per core; never more runs than there are to do. */
function resolveJobs(jobs: number | 'auto', runs: number): number {
  const n = jobs === 'auto' ? os.availableParallelism() : jobs;
  return Math.max(1, Math.min(n, runs));
}

/** A run record written by an earlier study in the same work dir; undefined when absent or unreadable. */
function readRecord(file: string): RunRecord | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
    return typeof r.heldOut === 'number' && Array.isArray(r.heldOutConfusion) ? r : undefined;
  } catch {
    return undefined;
  }
}

const pctStat = (s: Stat) => (s.n > 1 ? `${(s.mean * 100).toFixed(1)} ± ${(s.std * 100).toFixed(1)}` : (s.mean * 100).toFixed(1));

/** Held-out (and seen) accuracy per strategy across bias ratios. */
export function sweepMarkdown(rows: StrategyRow[]): string {
  const ratios = [...new Set(rows.map((r) => r.ratio))].sort((a, b) => a - b);
  const strategies = [...new Set(rows.map((r) => r.strategy))];
  const out = ['## Bias sweep: held-out-cell accuracy (seen-cell accuracy)', '', `| strategy | ${ratios.map((r) => `r = ${r}`).join(' | ')} |`, `|---|${ratios.map(() => '---:').join('|')}|`];
  for (const s of strategies) {
    out.push(`| ${s} | ${ratios.map((r) => {
      const row = rows.find((x) => x.strategy === s && x.ratio === r);
      return row ? `${pctStat(row.heldOut)} (${pctStat(row.seen)})` : '-';
    }).join(' | ')} |`);
  }
  return out.join('\n') + '\n';
}
