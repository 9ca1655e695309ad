import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-ignore plain ESM script without types
import { parseArgs, scaffold } from './new-adapter.mjs';

// inside the repository, so the generated code resolves zod and tsyringe from node_modules
const out = mkdtempSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '.tmp-gen-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('new-adapter generator', () => {
  it('scaffolds a package whose adapter works and whose files carry the name', async () => {
    const { dir, files } = scaffold({ name: 'my-lab', out });
    expect(files).toEqual(['README.md', 'package.json', 'src/index.ts', 'src/my-lab.ts', 'test/my-lab.test.ts', 'tsconfig.json']);
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('@iern/datasets-my-lab');
    expect(readFileSync(path.join(dir, 'src/my-lab.ts'), 'utf8')).toContain('export function loadMyLab(');
    expect(readFileSync(path.join(dir, 'src/my-lab.ts'), 'utf8')).not.toMatch(/__[A-Z]+__/);
    // the generated plugin registers and builds
    const mod = await import(path.join(dir, 'src/index.ts'));
    const { Registries } = await import('@iern/core');
    const { container } = await import('tsyringe');
    const registries = new Registries();
    mod.default.register(registries, container);
    expect(registries.datasets.get('my-lab').package).toBe('@iern/datasets-my-lab');
    await expect(registries.datasets.build({ type: 'my-lab', root: path.join(dir, 'nowhere') }, container, 'data.train')).rejects.toThrow(/labels\.csv/);
  });
  it('refuses bad names and existing folders', () => {
    expect(() => scaffold({ name: 'My Lab', out })).toThrow(/kebab-case/);
    expect(existsSync(path.join(out, 'datasets-my-lab'))).toBe(true);
    expect(() => scaffold({ name: 'my-lab', out })).toThrow(/already exists/);
    expect(parseArgs(['x', '--scope', '@acme', '--force'])).toMatchObject({ name: 'x', scope: '@acme', force: true });
  });
});
