import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { IernError } from '../errors.js';
import { TensorBoardWriter } from './tensorboard.js';

/**
 * One row of `metrics.jsonl`/`metrics.csv`. `kind` is `train` (every log interval),
 * `epoch` (epoch means) or an evaluated split (`val`, `test`). `epoch` is 1-based, `step`
 * counts optimisation steps done so far.
 */
export interface MetricRecord {
  kind: string;
  epoch: number;
  step: number;
  /** Unix time in seconds. */
  time?: number;
  [metric: string]: number | string | undefined;
}

const FIRST_COLUMNS = ['kind', 'epoch', 'step', 'time'];

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : String(v)) : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Renders records as CSV with the union of their keys (fixed first columns, then sorted). */
export function metricsToCsv(records: readonly MetricRecord[]): string {
  const keys = new Set<string>();
  for (const r of records) for (const k of Object.keys(r)) keys.add(k);
  const cols = [...FIRST_COLUMNS.filter((c) => keys.has(c)), ...[...keys].filter((k) => !FIRST_COLUMNS.includes(k)).sort()];
  return [cols.join(','), ...records.map((r) => cols.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n';
}

/** Reads `metrics.jsonl`; a torn last line (crash while appending) is ignored. */
export function readMetrics(file: string): MetricRecord[] {
  if (!existsSync(file)) return [];
  const out: MetricRecord[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as MetricRecord);
    } catch {
      // only the last line can be torn; anything else is also not a record
    }
  }
  return out;
}

export interface MetricsWriterOptions {
  /** Also write TensorBoard event files (default true). */
  tensorboard?: boolean;
  /**
   * Continuing a run: keep only the records of epochs before this 1-based epoch (what the
   * resumed checkpoint covers) and append after them.
   */
  keepEpochsBefore?: number;
}

/**
 * Writes metrics to `metrics.jsonl` (appended per record), `metrics.csv` (rewritten
 * atomically on `flush`) and TensorBoard scalars tagged `<kind>/<name>`.
 */
export class MetricsWriter {
  readonly jsonl: string;
  readonly csv: string;
  readonly tensorboard?: TensorBoardWriter;
  readonly records: MetricRecord[] = [];

  constructor(
    readonly dir: string,
    opts: MetricsWriterOptions = {},
  ) {
    mkdirSync(dir, { recursive: true });
    this.jsonl = path.join(dir, 'metrics.jsonl');
    this.csv = path.join(dir, 'metrics.csv');
    if (opts.keepEpochsBefore !== undefined) {
      this.records.push(...readMetrics(this.jsonl).filter((r) => r.epoch < opts.keepEpochsBefore!));
    }
    // Start the jsonl from what we keep (drops records of an epoch the checkpoint does not cover).
    const tmp = `${this.jsonl}.${process.pid}.tmp`;
    writeFileSync(tmp, this.records.map((r) => JSON.stringify(r) + '\n').join(''));
    renameSync(tmp, this.jsonl);
    if (opts.tensorboard !== false) this.tensorboard = new TensorBoardWriter(dir);
  }

  write(record: MetricRecord): void {
    const r: MetricRecord = { ...record, time: record.time ?? Date.now() / 1000 };
    this.records.push(r);
    this.append(this.jsonl, () => appendFileSync(this.jsonl, JSON.stringify(r) + '\n'));
    const tb = this.tensorboard;
    if (tb) {
      const scalars: Record<string, number> = {};
      for (const [k, v] of Object.entries(r)) if (typeof v === 'number' && !FIRST_COLUMNS.includes(k)) scalars[`${r.kind}/${k}`] = v;
      this.append(tb.file, () => tb.scalars(r.step, scalars, r.time));
    }
  }

  /** Runs a write; a failure (full disk, permissions) names the file. */
  private append(file: string, write: () => void): void {
    try {
      write();
    } catch (e) {
      throw new IernError(`cannot write ${file}: ${(e as Error).message}`);
    }
  }

  /** Rewrites `metrics.csv` (columns can appear later, e.g. accuracy after the first eval). */
  async flush(): Promise<void> {
    await writeFileAtomic(this.csv, metricsToCsv(this.records));
  }
}
