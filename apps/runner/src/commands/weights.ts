import type { Command } from 'commander';
import { promises as fs } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensorsHeader, type SafetensorInfo } from '@iern/core';
import { buildBackbone, importWeights } from '@iern/backbones';
import { runCommand } from '../cli-helpers.js';

/** BatchNorm running statistics and counters: state, not parameters. */
const isBuffer = (name: string) => /(^|\.)(running_mean|running_var|num_batches_tracked)$/.test(name);

export interface WeightsSummary {
  file: string;
  bytes: number;
  metadata: Record<string, string>;
  tensors: { name: string; dtype: string; shape: number[]; elements: number }[];
  /** Elements of every tensor. */
  totalElements: number;
  /** Elements excluding BatchNorm running stats and counters (what PyTorch counts as parameters). */
  parameters: number;
}

/** Reads only the header of a `.safetensors` file and summarises it. */
export async function inspectWeights(file: string): Promise<WeightsSummary> {
  const header = await readSafetensorsHeader(file);
  const { size } = await fs.stat(file);
  const count = (t: SafetensorInfo) => t.shape.reduce((a, b) => a * b, 1);
  const tensors = header.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, elements: count(t) }));
  return {
    file,
    bytes: size,
    metadata: header.metadata,
    tensors,
    totalElements: tensors.reduce((a, t) => a + t.elements, 0),
    parameters: tensors.filter((t) => !isBuffer(t.name)).reduce((a, t) => a + t.elements, 0),
  };
}

/** Human-readable listing: one line per tensor (file order), then totals. */
export function formatWeightsSummary(s: WeightsSummary): string {
  const lines = [`${s.file}: ${s.tensors.length} tensors, ${(s.bytes / 1e6).toFixed(1)} MB`];
  const meta = Object.entries(s.metadata);
  if (meta.length) lines.push(`metadata: ${meta.map(([k, v]) => `${k}=${v.length > 60 ? v.slice(0, 57) + '...' : v}`).join(', ')}`);
  const nw = Math.max(4, ...s.tensors.map((t) => t.name.length));
  lines.push(`${'name'.padEnd(nw)}  dtype  shape`);
  for (const t of s.tensors) lines.push(`${t.name.padEnd(nw)}  ${t.dtype.padEnd(5)}  [${t.shape.join(', ')}]`);
  lines.push(`total parameters: ${s.parameters.toLocaleString('en-US')} (all elements incl. BatchNorm buffers: ${s.totalElements.toLocaleString('en-US')})`);
  return lines.join('\n') + '\n';
}

/**
 * Dry-run import into a freshly built backbone of `type`: one line saying what loaded and
 * what was ignored, or the import error naming every missing/unexpected/mis-shaped tensor.
 */
export async function checkWeights(file: string, type: string): Promise<string> {
  // no computation happens, so the plain JS backend is enough
  await tf.setBackend('cpu');
  const backbone = await buildBackbone({ type });
  try {
    const r = await importWeights(backbone.namedVariables(), file);
    const counters = r.ignored.filter((n) => n.endsWith('num_batches_tracked')).length;
    const other = r.ignored.filter((n) => !n.endsWith('num_batches_tracked'));
    const ignored = [...other, ...(counters ? [`${counters} num_batches_tracked`] : [])];
    return `check against ${type}: ok, ${r.loaded.length} tensors loaded (${r.layout} layout)${ignored.length ? `; ignored ${ignored.join(', ')}` : ''}\n`;
  } finally {
    backbone.dispose();
  }
}

export function register(program: Command): void {
  const weights = program.command('weights').description('inspect weight files (.safetensors: torchvision state dicts, iern weights)');
  weights
    .command('inspect <file>')
    .description('list the tensors of a .safetensors file (name, dtype, shape) and the total parameter count; reads only the header')
    .option('--json', 'print JSON')
    .option('--check <type>', 'also try loading the file into a backbone of this type (resnet18, resnet34, resnet50, ...)')
    .action((file: string, opts: { json?: boolean; check?: string }) =>
      runCommand(async () => {
        const summary = await inspectWeights(file);
        process.stdout.write(opts.json ? JSON.stringify(summary, null, 2) + '\n' : formatWeightsSummary(summary));
        if (opts.check) process.stdout.write(await checkWeights(file, opts.check));
      }),
    );
}
