import { describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MetricsWriter, metricsToCsv, readMetrics } from '@iern/core';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'iern-metrics-'));

describe('MetricsWriter', () => {
  it('writes metrics.jsonl per record and metrics.csv with the union of columns', async () => {
    const dir = tmp();
    const m = new MetricsWriter(dir, { tensorboard: false });
    m.write({ kind: 'train', epoch: 1, step: 1, loss: 1.25, 'lr/head': 0.01, time: 100 });
    m.write({ kind: 'val', epoch: 1, step: 1, accuracy: 0.5, time: 101 });
    await m.flush();
    const lines = readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { kind: 'train', epoch: 1, step: 1, loss: 1.25, 'lr/head': 0.01, time: 100 },
      { kind: 'val', epoch: 1, step: 1, accuracy: 0.5, time: 101 },
    ]);
    expect(readFileSync(path.join(dir, 'metrics.csv'), 'utf8')).toBe('kind,epoch,step,time,accuracy,loss,lr/head\ntrain,1,1,100,,1.25,0.01\nval,1,1,101,0.5,,\n');
  });

  it('continuing a run keeps only the epochs the checkpoint covers and ignores a torn last line', () => {
    const dir = tmp();
    const m = new MetricsWriter(dir, { tensorboard: false });
    for (const epoch of [1, 2, 3]) m.write({ kind: 'epoch', epoch, step: epoch * 10, loss: 1 / epoch });
    appendFileSync(path.join(dir, 'metrics.jsonl'), '{"kind":"train","epo');
    expect(readMetrics(path.join(dir, 'metrics.jsonl'))).toHaveLength(3);
    const resumed = new MetricsWriter(dir, { tensorboard: false, keepEpochsBefore: 3 });
    expect(resumed.records.map((r) => r.epoch)).toEqual([1, 2]);
    resumed.write({ kind: 'epoch', epoch: 3, step: 30, loss: 0.3 });
    expect(readMetrics(path.join(dir, 'metrics.jsonl')).map((r) => [r.epoch, r.loss])).toEqual([[1, 1], [2, 0.5], [3, 0.3]]);
  });

  it('quotes CSV cells that need it', () => {
    expect(metricsToCsv([{ kind: 'a,b', epoch: 1, step: 2, note: 'say "hi"' }])).toBe('kind,epoch,step,note\n"a,b",1,2,"say ""hi"""\n');
  });

  it('a full disk names the file', { skip: !existsSync('/dev/full') }, () => {
    const dir = tmp();
    const m = new MetricsWriter(dir, { tensorboard: false });
    rmSync(m.jsonl);
    symlinkSync('/dev/full', m.jsonl); // every write fails with ENOSPC
    expect(() => m.write({ kind: 'train', epoch: 1, step: 1, loss: 1 })).toThrow(/cannot write .*metrics\.jsonl: ENOSPC/);
  });
});
