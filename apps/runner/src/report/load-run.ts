import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { IernError, readMetrics, type ClassificationReport, type MetricRecord } from '@iern/core';
import type { PredictionRecord } from '../hooks/predictions.js';

/** What the report shows of one run folder. */
export interface RunData {
  dir: string;
  /** Label: `<config name>/<folder>`. */
  label: string;
  strategy: string;
  backbone: string;
  epochs: number;
  seed: number;
  metrics: MetricRecord[];
  test?: ClassificationReport & { meanClassAccuracy?: number };
  best?: { metric: string; value: number; epoch: number };
  predictions: PredictionRecord[];
}

function readJsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as T;
      } catch {
        throw new IernError(`${file}:${i + 1}: not a JSON line`, 2);
      }
    });
}

/**
 * Run folders to report: each argument that is a run folder, or the run folders directly
 * inside it (`work_dirs/quickstart` = every run of that config), in name order.
 */
export function expandRunDirs(dirs: string[]): string[] {
  const out: string[] = [];
  for (const d of dirs) {
    const abs = path.resolve(d);
    if (existsSync(path.join(abs, 'metrics.jsonl')) || !existsSync(abs) || !statSync(abs).isDirectory()) {
      out.push(abs);
      continue;
    }
    const runs = readdirSync(abs)
      .sort()
      .map((n) => path.join(abs, n))
      .filter((p) => existsSync(path.join(p, 'metrics.jsonl')));
    out.push(...(runs.length ? runs : [abs]));
  }
  return out;
}

/** Reads a run folder written by `iern train`; a clear error when it is not one. */
export function loadRun(dir: string): RunData {
  const abs = path.resolve(dir);
  const metricsFile = path.join(abs, 'metrics.jsonl');
  if (!existsSync(abs)) throw new IernError(`${abs}: no such run folder`, 2);
  if (!existsSync(metricsFile)) throw new IernError(`${abs}: not a run folder of iern train (no metrics.jsonl)`, 2);
  const cfgFile = path.join(abs, 'config.yaml');
  const cfg = (existsSync(cfgFile) ? YAML.parse(readFileSync(cfgFile, 'utf8')) : {}) as Record<string, any>;
  const resultsFile = path.join(abs, 'results.json');
  const results = existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as Record<string, any>) : {};
  const name = typeof cfg['name'] === 'string' ? cfg['name'] : path.basename(path.dirname(abs));
  return {
    dir: abs,
    label: `${name}/${path.basename(abs)}`,
    strategy: String(cfg['model']?.['strategy']?.['type'] ?? '?'),
    backbone: String(cfg['model']?.['backbone']?.['type'] ?? '?'),
    epochs: Number(cfg['train']?.['epochs'] ?? NaN),
    seed: Number(cfg['train']?.['seed'] ?? NaN),
    metrics: readMetrics(metricsFile),
    test: results['test'],
    best: results['best'] ?? undefined,
    predictions: readJsonLines<PredictionRecord>(path.join(abs, 'predictions.jsonl')),
  };
}

/** Accuracy per (confounder, emotion) from per-sample predictions. */
export interface StratumTable {
  confounders: string[];
  classes: string[];
  /** cells[confounder][class] */
  cells: { correct: number; total: number }[][];
}

export function stratumTable(preds: PredictionRecord[], classes: string[]): StratumTable {
  const confounders = [...new Set(preds.map((p) => p.confounder ?? '(none)'))].sort();
  const cls = classes.length ? classes : [...new Set(preds.map((p) => p.label))].sort();
  const cells = confounders.map(() => cls.map(() => ({ correct: 0, total: 0 })));
  for (const p of preds) {
    const r = confounders.indexOf(p.confounder ?? '(none)');
    const c = cls.indexOf(p.label);
    if (c < 0) continue;
    cells[r]![c]!.total++;
    if (p.correct) cells[r]![c]!.correct++;
  }
  return { confounders, classes: cls, cells };
}
