import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { IernError } from '../errors.js';

/** `train.checkpoint` in the experiment config. */
export interface CheckpointPolicy {
  /** Save `last` (and an `epoch_<k>`) every N epochs; the final epoch is always saved. */
  interval: number;
  /** Keep the newest N `epoch_<k>.ckpt` files (0 = none). */
  keep: number;
  /** Metric that selects `best_<metric>.ckpt`. */
  metric: string;
}

/** The best value seen so far, stored in every checkpoint so a resumed run keeps it. */
export interface BestMetric {
  metric: string;
  value: number;
  epoch: number;
}

/** Lower is better for losses and error rates; higher for everything else. */
export function lowerIsBetter(metric: string): boolean {
  return /loss|error|err$/i.test(metric);
}

export type WriteFile = (file: string, data: Uint8Array) => Promise<void>;

export interface SavedCheckpoints {
  /** Files written this time. */
  written: string[];
  /** Whether this epoch became the new best. */
  best: boolean;
}

/**
 * Writes `last.ckpt`, `epoch_<k>.ckpt` (newest `keep` kept) and `best_<metric>.ckpt` in a run
 * folder. Every file is written atomically, so a crash, a kill or a full disk leaves the
 * previous file of that name loadable; the error says so.
 */
export class CheckpointManager {
  best: BestMetric | undefined;

  constructor(
    readonly dir: string,
    readonly policy: CheckpointPolicy,
    private readonly write: WriteFile = writeFileAtomic,
  ) {}

  get bestFile(): string {
    return path.join(this.dir, `best_${this.policy.metric.replace(/[^\w.-]+/g, '_')}.ckpt`);
  }

  get lastFile(): string {
    return path.join(this.dir, 'last.ckpt');
  }

  epochFile(epoch: number): string {
    return path.join(this.dir, `epoch_${epoch}.ckpt`);
  }

  /** Whether `epoch` (1-based, completed) is a save point. */
  shouldSave(epoch: number, final: boolean): boolean {
    return final || epoch % this.policy.interval === 0;
  }

  /** Whether `value` beats the best so far. */
  improves(value: number | undefined): boolean {
    if (value === undefined || !Number.isFinite(value)) return false;
    if (!this.best) return true;
    return lowerIsBetter(this.policy.metric) ? value < this.best.value : value > this.best.value;
  }

  /**
   * Saves the completed `epoch` (1-based). `encode` is called once, after `best` has been
   * updated, so the bytes carry the new best. Returns what was written.
   */
  async save(epoch: number, final: boolean, metricValue: number | undefined, encode: () => Promise<Uint8Array>): Promise<SavedCheckpoints> {
    const isBest = this.improves(metricValue);
    const periodic = this.shouldSave(epoch, final);
    if (!isBest && !periodic) return { written: [], best: false };
    const previousBest = this.best;
    if (isBest) this.best = { metric: this.policy.metric, value: metricValue!, epoch };
    const bytes = await encode();
    const written: string[] = [];
    try {
      if (periodic) {
        await this.writeOne(this.lastFile, bytes);
        written.push(this.lastFile);
        if (this.policy.keep > 0) {
          await this.writeOne(this.epochFile(epoch), bytes);
          written.push(this.epochFile(epoch));
          await this.prune();
        }
      }
      if (isBest) {
        await this.writeOne(this.bestFile, bytes);
        written.push(this.bestFile);
      }
    } catch (e) {
      if (isBest && !written.includes(this.bestFile)) this.best = previousBest;
      throw e;
    }
    return { written, best: isBest };
  }

  private async writeOne(file: string, bytes: Uint8Array): Promise<void> {
    try {
      await this.write(file, bytes);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const reason = err.code === 'ENOSPC' ? 'disk full' : err.code === 'EFBIG' ? 'file too large for this file system or limit' : (err.code ?? err.message);
      throw new IernError(`cannot write checkpoint ${file}: ${reason} (${err.message}); the previous ${path.basename(file)} is intact`);
    }
  }

  /** `epoch_<k>.ckpt` files in the folder, oldest first. */
  async epochFiles(): Promise<{ epoch: number; file: string }[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    return names
      .map((n) => /^epoch_(\d+)\.ckpt$/.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ epoch: Number(m[1]), file: path.join(this.dir, m[0]) }))
      .sort((a, b) => a.epoch - b.epoch);
  }

  private async prune(): Promise<void> {
    const files = await this.epochFiles();
    for (const f of files.slice(0, Math.max(0, files.length - this.policy.keep))) await fs.rm(f.file, { force: true });
  }

  /** Removes temp files a killed writer left behind (`.<name>.ckpt.<pid>.<time>.tmp`). Returns how many. */
  async removeStaleTemps(): Promise<number> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    const stale = names.filter((n) => /^\..+\.ckpt\.\d+\.\d+\.tmp$/.test(n) && !n.includes(`.${process.pid}.`));
    for (const n of stale) await fs.rm(path.join(this.dir, n), { force: true });
    return stale.length;
  }
}
