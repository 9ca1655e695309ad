import { beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointManager, IernError, encodeCheckpoint, loadCheckpoint, saveCheckpoint, selectBackend, type CheckpointMeta } from '@iern/core';
import { tempDir } from './run-helpers.js';

const CHILD = path.join(import.meta.dirname, 'fixtures', 'write-checkpoint.ts');
const meta = (epoch: number): CheckpointMeta => ({ format: 'iern-checkpoint', version: 1, config: {}, classes: ['a', 'b'], confounders: [], epoch, extra: {} });

async function writePrevious(dir: string): Promise<string> {
  const file = path.join(dir, 'last.ckpt');
  const w = tf.tensor2d([[1, 2], [3, 4]]);
  await saveCheckpoint(file, new Map([['w', w]]), meta(1));
  w.dispose();
  return file;
}

async function expectPrevious(file: string): Promise<void> {
  const ckpt = await loadCheckpoint(file);
  expect(ckpt.meta.epoch).toBe(1);
  expect(await ckpt.tensors.get('w')!.array()).toEqual([[1, 2], [3, 4]]);
  tf.dispose([...ckpt.tensors.values()]);
}

const temps = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.tmp'));

/** Starts the child writer and SIGKILLs it as soon as its temp file exists. Resolves whether the kill came mid-write. */
function killMidWrite(file: string, mb: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file, String(mb)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let killed = false;
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const dir = path.dirname(file);
    const poll = setInterval(() => {
      if (!killed && temps(dir).length) {
        killed = true;
        child.kill('SIGKILL');
      }
    }, 1);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      if (signal === 'SIGKILL') resolve(!out.includes('written'));
      else if (code === 0) resolve(false);
      else reject(new Error(`child exited ${code}: ${out}`));
    });
  });
}

describe('checkpoint crash safety', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('a process killed while writing a checkpoint leaves the previous one loadable', async () => {
    const dir = tempDir('kill');
    const file = await writePrevious(dir);
    let midWrite = false;
    for (let attempt = 0; attempt < 3 && !midWrite; attempt++) midWrite = await killMidWrite(file, 64 * (attempt + 1));
    expect(midWrite, 'the child was killed while its temp file was being written').toBe(true);
    await expectPrevious(file);
    // the killed writer's temp file is left behind; the next run's manager removes it
    expect(temps(dir).length).toBeGreaterThan(0);
    const removed = await new CheckpointManager(dir, { interval: 1, keep: 1, metric: 'accuracy' }).removeStaleTemps();
    expect(removed).toBeGreaterThan(0);
    expect(temps(dir)).toEqual([]);
  });

  it('a write error (file size limit) leaves the previous checkpoint and no temp file', { skip: process.platform === 'win32' }, async () => {
    const dir = tempDir('efbig');
    const file = await writePrevious(dir);
    // ulimit -f (in 1 KiB blocks) makes the big write fail with EFBIG, like a full disk
    const r = spawnSync('bash', ['-c', `ulimit -f 4096 && exec "${process.execPath}" --import tsx "${CHILD}" "${file}" 16`], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout, r.stderr).toContain('failed EFBIG');
    expect(r.status).toBe(3);
    await expectPrevious(file);
    expect(temps(dir)).toEqual([]);
  });

  it('the checkpoint manager reports a full disk, keeps the previous files and the previous best', async () => {
    const dir = tempDir('enospc');
    const ok = new CheckpointManager(dir, { interval: 1, keep: 1, metric: 'accuracy' });
    const bytes = async () => {
      const w = tf.tensor2d([[1, 2], [3, 4]]);
      try {
        return await encodeCheckpoint(new Map([['w', w]]), meta(1));
      } finally {
        w.dispose();
      }
    };
    await ok.save(1, false, 0.5, bytes);
    expect(ok.best).toEqual({ metric: 'accuracy', value: 0.5, epoch: 1 });
    const sizes = Object.fromEntries(readdirSync(dir).map((n) => [n, statSync(path.join(dir, n)).size]));
    expect(Object.keys(sizes).sort()).toEqual(['best_accuracy.ckpt', 'epoch_1.ckpt', 'last.ckpt']);

    const full = new CheckpointManager(dir, ok.policy, async () => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    full.best = ok.best;
    const err = await full.save(2, false, 0.9, bytes).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IernError);
    expect((err as Error).message).toMatch(/cannot write checkpoint .*last\.ckpt: disk full .*the previous last\.ckpt is intact/);
    expect(full.best, 'best is not advanced when its file was not written').toEqual({ metric: 'accuracy', value: 0.5, epoch: 1 });
    await expectPrevious(path.join(dir, 'last.ckpt'));
    await expectPrevious(path.join(dir, 'best_accuracy.ckpt'));
    expect(existsSync(path.join(dir, 'epoch_2.ckpt'))).toBe(false);
  });

  it('names a truncated or foreign checkpoint file', async () => {
    const dir = tempDir('bad');
    const file = await writePrevious(dir);
    const { readFileSync, writeFileSync } = await import('node:fs');
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 3));
    await expect(loadCheckpoint(file)).rejects.toThrow(/last\.ckpt: truncated at tensor 'w'/);
    writeFileSync(file, 'hello world, not a checkpoint');
    await expect(loadCheckpoint(file)).rejects.toThrow(/last\.ckpt: not an iern checkpoint/);
  });
});
