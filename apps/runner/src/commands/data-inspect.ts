import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { decodeSampleBytes, mapLimit, type Dataset } from '@iern/core';
import { resolveConfig } from '../experiment/resolve-config.js';
import { runCommand } from '../cli-helpers.js';

/** What `iern data inspect --json` prints for one dataset section. */
export interface SectionReport {
  type: string;
  total: number;
  byEmotion: Record<string, number>;
  byConfounder: Record<string, number>;
  skipped: Record<string, number>;
  problems: string[];
}

const tally = (keys: (string | undefined)[]) => {
  const out: Record<string, number> = {};
  for (const k of keys) out[k ?? '(none)'] = (out[k ?? '(none)'] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
};

/** Counts one built dataset and checks what can be checked without decoding (files exist, classes known). */
export function reportDataset(type: string, ds: Dataset, classes?: string[]): SectionReport {
  const problems = [...ds.problems];
  const missing = ds.samples.filter((s) => s.image.kind === 'file' && !existsSync(s.image.path));
  if (missing.length) {
    const eg = missing.slice(0, 3).map((s) => (s.image as { path: string }).path);
    problems.push(`${missing.length} image file(s) missing, e.g. ${eg.join(', ')}`);
  }
  if (classes) {
    const unknown = [...new Set(ds.samples.map((s) => s.emotion).filter((e) => !classes.includes(e)))];
    if (unknown.length) problems.push(`emotions not in data.classes: ${unknown.join(', ')}`);
  }
  return {
    type,
    total: ds.samples.length,
    byEmotion: tally(ds.samples.map((s) => s.emotion)),
    byConfounder: tally(ds.samples.map((s) => s.confounder)),
    skipped: ds.skipped,
    problems,
  };
}

/** Decodes every image (tiny, grey) and names the ones that fail: what `onBadSample` would meet. */
export async function findBadImages(ds: Dataset): Promise<string[]> {
  const bad = await mapLimit(ds.samples, 16, async (s) => {
    try {
      await decodeSampleBytes(s, { height: 8, width: 8, channels: 1 });
      return undefined;
    } catch {
      return s.image.kind === 'file' ? s.image.path : s.id;
    }
  });
  return bad.filter((b): b is string => b !== undefined);
}

/** Builds every dataset section under `data` (train, test, val) of a config and reports it. */
export async function inspectData(file: string, overrides: string[] = [], opts: { decode?: boolean } = {}): Promise<Record<string, SectionReport>> {
  const { config, registries, container } = await resolveConfig(file, overrides);
  const out: Record<string, SectionReport> = {};
  for (const split of ['train', 'test', 'val'] as const) {
    const section = config.data[split];
    if (!section) continue;
    const ds = await registries.datasets.build(section, container, `data.${split}`);
    out[split] = reportDataset(section.type, ds, config.data.classes);
    if (opts.decode) {
      const bad = await findBadImages(ds);
      if (bad.length) out[split]!.problems.push(`${bad.length} image(s) cannot be decoded, e.g. ${bad.slice(0, 3).join(', ')}`);
    }
  }
  return out;
}

function printText(report: Record<string, SectionReport>): string {
  const lines: string[] = [];
  const row = (o: Record<string, number>) => Object.entries(o).map(([k, n]) => `${k} ${n}`).join(', ') || '-';
  for (const [section, r] of Object.entries(report)) {
    lines.push(`data.${section} (${r.type}): ${r.total} samples`);
    lines.push(`  by emotion:    ${row(r.byEmotion)}`);
    lines.push(`  by confounder: ${row(r.byConfounder)}`);
    lines.push(`  skipped:       ${row(r.skipped)}`);
    for (const p of r.problems) lines.push(`  problem: ${p}`);
  }
  return lines.join('\n') + '\n';
}

export function register(program: Command): void {
  const data = program.commands.find((c) => c.name() === 'data') ?? program.command('data').description('inspect the datasets a config names');
  data
    .command('inspect')
    .description('build each dataset section under `data` and print counts per emotion and confounder, skipped items by reason, and problems')
    .argument('<config>', 'YAML or JSON config file')
    .argument('[overrides...]', 'key.path=value overrides')
    .option('--json', 'print one JSON object { "<section>": { type, total, byEmotion, byConfounder, skipped, problems } }')
    .option('--decode', 'also decode every image and report the ones that fail (slower)')
    .action((file: string, overrides: string[], opts: { json?: boolean; decode?: boolean }) =>
      runCommand(async () => {
        const report = await inspectData(file, overrides, { decode: opts.decode });
        process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : printText(report));
      }),
    );
}
