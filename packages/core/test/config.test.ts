import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { ConfigError, Registries, applyOverrides, loadConfigFile, mergeConfig, validateExperiment } from '@iern/core';

function tmp(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'iern-cfg-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function registries(): Registries {
  const r = new Registries();
  const opts = z.strictObject({ lr: z.number().default(0.1), size: z.number().optional() });
  r.backbones.register({ type: 'tiny', package: 't', description: '', options: opts, build: () => ({}) as never });
  r.strategies.register({ type: 'baseline', package: 't', description: '', options: opts, build: () => ({}) as never });
  r.strategies.register({ type: 'backdoor', package: 't', description: '', options: opts, build: () => ({}) as never });
  r.datasets.register({ type: 'toy', package: 't', description: '', options: opts, build: () => ({}) as never });
  return r;
}

const minimal = { model: { backbone: { type: 'tiny' }, strategy: { type: 'baseline' } }, data: { train: { type: 'toy' } } };

describe('config loading', () => {
  it('merges dicts and replaces lists and scalars across _base_', () => {
    const dir = tmp({
      'base.yaml': 'train: {epochs: 5, batchSize: 8}\nplugins: [a, b]\nmodel: {strategy: {type: baseline, lr: 0.1}}\n',
      'exp.yaml': '_base_: base.yaml\ntrain: {epochs: 2}\nplugins: [c]\nmodel: {strategy: {lr: 0.5}}\n',
    });
    const cfg = loadConfigFile(path.join(dir, 'exp.yaml'));
    expect(cfg).toEqual({ train: { epochs: 2, batchSize: 8 }, plugins: ['c'], model: { strategy: { type: 'baseline', lr: 0.5 } } });
  });

  it('supports a list of bases, JSON files and detects cycles', () => {
    const dir = tmp({
      'a.json': '{"x": 1, "y": {"p": 1}}',
      'b.yaml': 'y: {q: 2}',
      'c.yaml': '_base_: [a.json, b.yaml]\nz: 3',
      'loop1.yaml': '_base_: loop2.yaml',
      'loop2.yaml': '_base_: loop1.yaml',
    });
    expect(loadConfigFile(path.join(dir, 'c.yaml'))).toEqual({ x: 1, y: { p: 1, q: 2 }, z: 3 });
    expect(() => loadConfigFile(path.join(dir, 'loop1.yaml'))).toThrow(/cycle/);
  });

  it('names the file and line of a YAML syntax error', () => {
    const dir = tmp({ 'bad.yaml': 'a: 1\nb: [1, 2\nc: 3\n' });
    expect(() => loadConfigFile(path.join(dir, 'bad.yaml'))).toThrow(/bad\.yaml:\d+: invalid YAML/);
  });

  it('_delete_ replaces a mapping whole', () => {
    expect(mergeConfig({ a: { x: 1, y: 2 } }, { a: { _delete_: true, z: 3 } })).toEqual({ a: { z: 3 } });
  });
});

describe('overrides', () => {
  it('parses values as YAML and creates paths', () => {
    const out = applyOverrides({ train: { epochs: 5 } }, ['train.epochs=2', 'model.strategy.type=backdoor', 'data.sizes=[1, 2]', 'flag=true', 'name=run 1']);
    expect(out).toEqual({ train: { epochs: 2 }, model: { strategy: { type: 'backdoor' } }, data: { sizes: [1, 2] }, flag: true, name: 'run 1' });
  });

  it('deletes with ~ and rejects malformed overrides', () => {
    expect(applyOverrides({ a: { b: 1, c: 2 } }, ['~a.b'])).toEqual({ a: { c: 2 } });
    expect(() => applyOverrides({}, ['novalue'])).toThrow(ConfigError);
    expect(() => applyOverrides({ a: 1 }, ['a.b=2'])).toThrow(/'a' is not a mapping/);
  });
});

describe('validateExperiment', () => {
  it('fills defaults and validates each typed section with its own schema', () => {
    const cfg = validateExperiment(structuredClone(minimal), registries());
    expect(cfg.train.epochs).toBe(10);
    expect(cfg.model.strategy).toEqual({ type: 'baseline', lr: 0.1 });
    expect(cfg.backend).toBe('auto');
  });

  const cases: [string, object, RegExp][] = [
    ['unknown top-level key', { ...minimal, trian: {} }, /^config error at trian: unknown key/],
    ['unknown nested key', { ...minimal, train: { epochz: 1 } }, /^config error at train\.epochz: unknown key/],
    ['wrong type', { ...minimal, train: { epochs: 'two' } }, /^config error at train\.epochs: .*number/],
    ['unknown strategy', { ...minimal, model: { backbone: { type: 'tiny' }, strategy: { type: 'nope' } } }, /model\.strategy\.type: unknown strategy type 'nope'; known: backdoor, baseline/],
    ['bad strategy option', { ...minimal, model: { backbone: { type: 'tiny' }, strategy: { type: 'backdoor', lr: 'x' } } }, /model\.strategy\.lr/],
    ['bad dataset option', { ...minimal, data: { train: { type: 'toy', colour: 1 } } }, /data\.train\.colour: unknown key/],
    ['bad backend', { ...minimal, backend: 'tpu' }, /^config error at backend/],
  ];
  for (const [name, raw, re] of cases) {
    it(`reports ${name} with its key path`, () => {
      let err: unknown;
      try {
        validateExperiment(structuredClone(raw) as Record<string, unknown>, registries());
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).not.toContain('\n');
    });
  }
});
