import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { readMetrics } from '@iern/core';
import { iern } from './cli-helpers.js';
import { TINY, tempDir } from './run-helpers.js';

describe('iern train: run folder and --resume auto', () => {
  it('writes the run folder, prints where, and continues the newest run of the config', () => {
    const cwd = tempDir('cwd');
    writeFileSync(path.join(cwd, 'tiny.yaml'), TINY);
    const first = iern(['train', 'tiny.yaml', 'train.epochs=2', 'train.logInterval=2'], { cwd });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^accuracy: \d+\.\d\d%$/m);
    const runs = readdirSync(path.join(cwd, 'work_dirs', 'tiny'));
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatch(/^\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d$/);
    const dir = path.join(cwd, 'work_dirs', 'tiny', runs[0]!);
    expect(first.stdout).toContain(`work dir: ${dir}`);
    expect(first.stderr).toContain(`work dir: ${dir}`);
    for (const f of ['config.yaml', 'overrides.txt', 'train.log', 'metrics.jsonl', 'metrics.csv', 'last.ckpt', 'best_accuracy.ckpt', 'epoch_1.ckpt', 'epoch_2.ckpt', 'results.json', 'predictions.jsonl']) {
      expect(existsSync(path.join(dir, f)), f).toBe(true);
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('events.out.tfevents.'))).toHaveLength(1);
    expect(readFileSync(path.join(dir, 'overrides.txt'), 'utf8')).toBe('train.epochs=2\ntrain.logInterval=2\n');
    expect(readFileSync(path.join(dir, 'train.log'), 'utf8')).toContain('INFO  epoch 2/2 done');
    // off a terminal: plain progress lines every logInterval steps (3 steps per epoch -> steps 2 and 3)
    expect(first.stderr).toMatch(/epoch 1\/2 step 2\/3 \d+:\d\d<\d+:\d\d [\d.]+ img\/s loss \d\.\d{4}/);
    expect(first.stderr).not.toMatch(/epoch 1\/2 step 1\/3/);
    expect(first.stderr).not.toContain('\x1b[2K');
    const csvHead = readFileSync(path.join(dir, 'metrics.csv'), 'utf8').split('\n')[0]!;
    expect(csvHead.split(',')).toEqual(expect.arrayContaining(['kind', 'epoch', 'step', 'loss', 'lr/head', 'lr/backbone', 'images_per_s', 'accuracy']));

    const again = iern(['train', 'tiny.yaml', 'train.epochs=3', '--resume'], { cwd });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`resumed from ${path.join(dir, 'last.ckpt')}: 2 of 3 epochs done`);
    expect(again.stderr).not.toContain('epoch 1/3 done');
    expect(again.stderr).toContain('epoch 3/3 done');
    expect(readdirSync(path.join(cwd, 'work_dirs', 'tiny'))).toHaveLength(1);
    expect(readMetrics(path.join(dir, 'metrics.jsonl')).filter((r) => r.kind === 'epoch').map((r) => r.epoch)).toEqual([1, 2, 3]);

    const none = iern(['train', 'tiny.yaml', '--resume', 'auto', 'name=other'], { cwd });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--resume auto: no run of 'other' with a last\.ckpt under .*work_dirs\/other/);
  });
});

describe('iern train on a terminal', () => {
  const SCRIPT = '/usr/bin/script';
  it('draws a progress bar per epoch with ETA, images/s and running losses', (ctx) => {
    if (!existsSync(SCRIPT)) {
      console.warn(`SKIPPED terminal test: ${SCRIPT} (util-linux) is absent`);
      ctx.skip();
    }
    const cwd = tempDir('tty');
    writeFileSync(path.join(cwd, 'tiny.yaml'), TINY);
    const cli = path.resolve(import.meta.dirname, '../bin/iern.js');
    // `script` runs the CLI on a pseudo-terminal, so stderr.isTTY is true
    const r = spawnSync(SCRIPT, ['-qec', `"${process.execPath}" "${cli}" train tiny.yaml train.epochs=1 --work-dir run`, '/dev/null'], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, COLUMNS: '120' } });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const frames = r.stdout.split('\r\x1b[2K');
    expect(frames.length).toBeGreaterThan(1);
    expect(r.stdout).toMatch(/epoch 1\/1 \[#+\] 3\/3 \d+:\d\d<0:00 [\d.]+ img\/s loss \d\.\d{4}/);
    expect(r.stdout).not.toMatch(/INFO  epoch 1\/1 step/);
    expect(r.stdout).toMatch(/accuracy: \d+\.\d\d%/);
  });
});
