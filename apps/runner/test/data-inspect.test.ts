import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { register } from '../src/commands/data-inspect.js';
import { pickleStrDict, tempRoot, writeImages, writeText } from '../../../packages/datasets/test/helpers.js';

const t = tempRoot('iern-inspect-');
const cleanups: (() => void)[] = [t.cleanup];
afterAll(() => cleanups.forEach((c) => c()));

const MODEL = `model:
  backbone: { type: small-cnn, channels: [4, 8] }
  strategy: { type: baseline, lr: 0.01, backboneLr: 0.01, betas: [0.9, 0.999], warmupEpochs: 0 }
`;

async function run(args: string[]): Promise<{ out: string; code: number | undefined }> {
  const program = new Command().exitOverride();
  register(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'iern', 'data', 'inspect', ...args]);
  } finally {
    spy.mockRestore();
    errSpy.mockRestore();
  }
  const code = process.exitCode as number | undefined;
  process.exitCode = before;
  return { out, code };
}

describe('iern data inspect', () => {
  it('--json reports counts per emotion and confounder, skips and problems for each section', async () => {
    const root = path.join(t.root, 'MixBasic');
    const labels: Record<string, string> = {};
    const files: string[] = [];
    for (const src of ['CKPlus', 'MMI', 'OuluCASIA']) {
      for (const e of ['anger', 'disgust', 'fear', 'happiness', 'sadness', 'surprise']) {
        files.push(path.join(root, src, 'images', `${e}_1.png`));
        labels[`${src.toLowerCase()}_${e}_1`] = e;
      }
    }
    labels['ckplus_contempt_1'] = 'contempt';
    files.push(path.join(root, 'CKPlus', 'images', 'contempt_1.png'));
    await writeImages(files);
    writeText(path.join(root, 'emotion_labels.pkl'), pickleStrDict(labels));
    const cfg = writeText(
      path.join(t.root, 'mix.yaml'),
      `${MODEL}data:\n  train: { type: mixbasic, root: ${root}, split: train, fold: 2 }\n  test: { type: mixbasic, root: ${root}, split: test, fold: 2 }\n`,
    );
    const r = await run([cfg, '--json']);
    expect(r.code, r.out).toBeUndefined();
    const rep = JSON.parse(r.out);
    expect(Object.keys(rep)).toEqual(['train', 'test']);
    expect(rep.train).toMatchObject({ type: 'mixbasic', total: 12, skipped: { contempt: 1 } });
    expect(rep.test.total).toBe(6);
    expect(rep.test.byConfounder).toEqual({ ckplus: 2, mmi: 2, oulucasia: 2 });
    expect(Object.values(rep.train.byEmotion)).toEqual([2, 2, 2, 2, 2, 2]);
    // overrides apply; text output names sections
    const txt = await run([cfg, 'data.train.split=all']);
    expect(txt.out).toMatch(/data\.train \(mixbasic\): 18 samples/);
    expect(txt.out).toMatch(/skipped: +contempt 1/);
  });

  it('loads the README custom adapter from a local plugin file and reports missing images as problems', async () => {
    // inside the repository so the plugin's `import 'zod'` resolves from node_modules
    const dir = mkdtempSync(path.join(fileURLToPath(new URL('.', import.meta.url)), '.tmp-inspect-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const readme = readFileSync(fileURLToPath(new URL('../../../packages/datasets/README.md', import.meta.url)), 'utf8');
    const section = readme.slice(readme.indexOf('## A custom adapter in a local file'));
    const code = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
    writeText(path.join(dir, 'my-lab.plugin.ts'), code);
    const data = path.join(dir, 'lab');
    writeText(path.join(data, 'train.txt'), 'a.png 1\nb.png 2\nc.png 0\nd.png 2\n');
    await writeImages([path.join(data, 'images', 'a.png'), path.join(data, 'images', 'b.png'), path.join(data, 'images', 'd.png')]);
    writeText(path.join(data, 'test.txt'), 'e.png 3\n');
    const cfg = writeText(
      path.join(dir, 'c.yaml'),
      `plugins: [./my-lab.plugin.ts]\n${MODEL}data:\n  train: { type: my-lab, root: ${data}, split: train }\n  test: { type: my-lab, root: ${data}, split: test }\n`,
    );
    const r = await run([cfg, '--json']);
    expect(r.code, r.out).toBeUndefined();
    const rep = JSON.parse(r.out);
    expect(rep.train).toMatchObject({ type: 'my-lab', total: 3, byEmotion: { happiness: 1, sadness: 2 }, byConfounder: { lab: 3 }, skipped: { 'no expression': 1 } });
    expect(rep.test.total).toBe(1);
    expect(rep.test.problems.join()).toMatch(/1 image file\(s\) missing.*e\.png/);
    // --decode finds a corrupt image
    writeText(path.join(data, 'images', 'b.png'), 'not a png');
    const dec = JSON.parse((await run([cfg, '--json', '--decode'])).out);
    expect(dec.train.problems.join()).toMatch(/1 image\(s\) cannot be decoded.*b\.png/);
    writeText(path.join(data, 'train.txt'), 'a.png 9\n');
    const bad = await run([cfg, '--json']);
    expect(bad.out).toMatch(/train\.txt:1: unknown label code '9'/);
  });

  it('a missing dataset root is one clear error line', async () => {
    const cfg = writeText(path.join(t.root, 'bad.yaml'), `${MODEL}data:\n  train: { type: rafdb, root: ${path.join(t.root, 'no-raf')} }\n`);
    const r = await run([cfg, '--json']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/error: .*no-raf.*RAF-DB root not found/);
  });
});
