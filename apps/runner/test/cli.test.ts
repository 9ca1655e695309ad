import { describe, expect, it } from 'vitest';
import { mkdtempSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FIXTURES, iern } from './cli-helpers.js';

const QUICK = 'configs/quickstart.yaml';

describe('iern CLI', () => {
  it('has --help on every command', () => {
    const top = iern(['--help']);
    expect(top.code).toBe(0);
    for (const cmd of ['train', 'eval', 'list', 'print-config']) {
      expect(top.stdout).toContain(cmd);
      const r = iern([cmd, '--help']);
      expect(r.code, `${cmd} --help`).toBe(0);
      expect(r.stdout).toContain(`Usage: iern ${cmd}`);
    }
  });

  it('lists backbones, datasets and strategies with their packages', () => {
    const r = iern(['list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/backbones \(\d+\):/);
    expect(r.stdout).toMatch(/small-cnn\s+@iern\/backbones/);
    expect(r.stdout).toMatch(/toy-shapes\s+@iern\/datasets/);
    expect(r.stdout).toMatch(/baseline\s+@iern\/intervention/);
  });

  it('print-config applies overrides', () => {
    const r = iern(['print-config', QUICK, 'model.strategy.type=baseline', 'train.epochs=2', 'train.batchSize=4', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const cfg = JSON.parse(r.stdout);
    expect(cfg.train.epochs).toBe(2);
    expect(cfg.train.batchSize).toBe(4);
    expect(cfg.model.strategy.type).toBe('baseline');
    expect(cfg.model.backbone.type).toBe('small-cnn');
  });

  const bad: [string, string[], RegExp][] = [
    ['an unknown key', ['train.epochz=2'], /^error: config error at train\.epochz: unknown key/],
    ['a wrong type', ['train.epochs=two'], /^error: config error at train\.epochs: .*number/],
    ['an unknown type', ['model.strategy.type=nope'], /^error: config error at model\.strategy\.type: unknown strategy type 'nope'; known: .*baseline/],
  ];
  for (const [what, overrides, re] of bad) {
    it(`exits 2 with one line for ${what}`, () => {
      const r = iern(['print-config', QUICK, ...overrides]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(re);
    });
  }

  it('exits 2 for a missing config file', () => {
    const r = iern(['print-config', 'configs/does-not-exist.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/config file not found: .*does-not-exist\.yaml/);
  });

  it('trains on a custom dataset adapter from a local plugin file, then evaluates the checkpoint', () => {
    const work = mkdtempSync(path.join(tmpdir(), 'iern-custom-'));
    const cfg = path.join(FIXTURES, 'custom.yaml');
    const listed = iern(['list', '--plugin', path.join(FIXTURES, 'my-adapter.plugin.ts')]);
    expect(listed.stdout).toMatch(/my-lab\s+my-adapter\.plugin\.ts/);
    const r = iern(['train', cfg, '--work-dir', work]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('data.train: my-lab, 16 samples');
    expect(r.stdout).toMatch(/accuracy: \d+\.\d\d%/);
    expect(existsSync(path.join(work, 'last.ckpt'))).toBe(true);
    expect(readFileSync(path.join(work, 'config.yaml'), 'utf8')).toContain('my-lab');
    const ev = iern(['eval', cfg, '--checkpoint', path.join(work, 'last.ckpt'), '--json']);
    expect(ev.code, ev.stderr).toBe(0);
    const report = JSON.parse(ev.stdout);
    expect(report.total).toBe(8);
    const trained = Number(/accuracy: (\d+\.\d\d)%/.exec(r.stdout)![1]);
    expect(report.accuracy * 100).toBeCloseTo(trained, 1);
  });

  it('eval names a missing checkpoint', () => {
    const r = iern(['eval', path.join(FIXTURES, 'custom.yaml'), '--checkpoint', '/nonexistent/last.ckpt']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/checkpoint not found or unreadable: \/nonexistent\/last\.ckpt/);
  });
});
