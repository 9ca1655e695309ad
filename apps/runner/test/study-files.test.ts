import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { loadConfigFile } from '@iern/core';
import { gridOverrides, loadStudyConfig, toOverrides } from '../src/study/index.js';
import { resolveConfig } from '../src/experiment/resolve-config.js';

const DIR = 'configs/study';
const studyFiles = readdirSync(DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .filter((f) => 'strategies' in loadConfigFile(path.join(DIR, f)));

describe('the shipped study files', () => {
  it('include the default study and the recipe selection', () => {
    expect(studyFiles).toEqual(expect.arrayContaining(['default.yaml', 'selection.yaml']));
  });

  it.each(studyFiles)('%s: every strategy resolves to a valid experiment', async (file) => {
    const study = loadStudyConfig(path.join(DIR, file));
    for (const [name, overrides] of Object.entries(study.strategies)) {
      const resolved = await resolveConfig(study.experimentFile, [...toOverrides(overrides), ...gridOverrides(2, 0.9, 1)]);
      expect(resolved.config.train.seed, name).toBe(1);
    }
  });

  it('the validation world is the benchmark with other faces: only the data seed differs', async () => {
    const bench = await resolveConfig(path.join(DIR, 'experiment.yaml'));
    const world = await resolveConfig(path.join(DIR, 'experiment-validation-world.yaml'));
    const data = (r: typeof bench) => r.raw['data'] as Record<string, Record<string, unknown>>;
    expect(data(bench)['train']!['seed']).toBe(0);
    expect(data(world)['train']!['seed']).toBe(1000);
    expect(data(world)['test']!['seed']).toBe(1000);
    const withoutSeeds = (r: typeof bench) => {
      const d = structuredClone(data(r));
      delete d['train']!['seed'];
      delete d['test']!['seed'];
      return { ...r.raw, data: d, _base_: undefined };
    };
    expect(withoutSeeds(world)).toEqual(withoutSeeds(bench));
  });

  it("the default study's recipe is the selected candidate, and its augmented baseline has the same augmentation", () => {
    const study = loadStudyConfig(path.join(DIR, 'default.yaml'));
    const selection = loadStudyConfig(path.join(DIR, 'selection.yaml'));
    expect(study.strategies['recipe']).toEqual(selection.strategies['la+aug']);
    expect(study.roles.augmentedBaseline).toBe('baseline+aug');
    expect(study.strategies['baseline+aug']!['data.augment']).toEqual(study.strategies['recipe']!['data.augment']);
  });
});
