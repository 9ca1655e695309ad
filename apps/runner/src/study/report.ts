import { meetsTarget, type Comparison, type Stat, type StrategyRow } from './aggregate.js';

const pct = (s: Stat | undefined) => (!s || !Number.isFinite(s.mean) ? '-' : s.n > 1 ? `${(s.mean * 100).toFixed(1)} ± ${(s.std * 100).toFixed(1)}` : (s.mean * 100).toFixed(1));
const pts = (s: Stat) => `${s.mean >= 0 ? '+' : ''}${(s.mean * 100).toFixed(1)}${s.n > 1 ? ` ± ${(s.std * 100).toFixed(1)}` : ''}`;

export interface ReportInput {
  title: string;
  command: string;
  rows: StrategyRow[];
  classes: string[];
  comparisons: { label: string; items: Comparison[]; target: boolean }[];
  seconds: number;
  notes?: string[];
}

/** The study table as Markdown: one table per bias ratio, then the paired comparisons. */
export function studyMarkdown(r: ReportInput): string {
  const out: string[] = [`## ${r.title}`, '', `Command: \`${r.command}\``, ''];
  const ratios = [...new Set(r.rows.map((x) => x.ratio))];
  const abbrev = r.classes.map((c) => c.slice(0, 4));
  for (const ratio of ratios) {
    const rows = r.rows.filter((x) => x.ratio === ratio);
    const first = rows[0]!;
    const hasLeak = rows.some((x) => x.leakage);
    const hasCons = rows.some((x) => x.consistency);
    out.push(`### bias r = ${ratio} (${first.folds.length} fold${first.folds.length > 1 ? 's' : ''} [${first.folds.join(', ')}] x ${first.seeds.length} seed${first.seeds.length > 1 ? 's' : ''})`, '');
    const head = ['strategy', 'held-out', 'seen', 'overall', ...abbrev.map((a) => `${a} (h)`)];
    if (hasLeak) head.push('probe z from e', 'from c', 'from f');
    if (hasCons) head.push('stratum consistency');
    out.push(`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
    for (const x of rows) {
      const cells = [x.strategy, pct(x.heldOut), pct(x.seen), pct(x.overall), ...r.classes.map((c) => pct(x.perEmotion[c]))];
      if (hasLeak) cells.push(pct(x.leakage?.['e']), pct(x.leakage?.['c']), pct(x.leakage?.['f']));
      if (hasCons) cells.push(pct(x.consistency));
      out.push(`| ${cells.join(' | ')} |`);
    }
    const chance = rows.find((x) => x.leakageChance !== undefined)?.leakageChance;
    out.push('');
    if (hasLeak && chance !== undefined) out.push(`Probe columns: accuracy of a linear probe predicting the source from pooled features (trained on the train split, scored on the test split; majority-source rate ${(chance * 100).toFixed(1)}%).`, '');
  }
  out.push('Accuracy in %, mean ± sample std over folds x seeds. Per-emotion columns (h): held-out cells only, pooled over folds (sum correct / sum total) per seed, mean ± std over seeds. Seen cells: fresh images of cells present in training.', '');
  for (const c of r.comparisons) {
    if (c.items.length === 0) continue;
    out.push(`### ${c.label}`, '', '| bias r | pairs | held-out diff (points) | seen diff (points) |' + (c.target ? ' target (>= +5 held-out, >= -2 seen) |' : ''), '|---:|---:|---:|---:|' + (c.target ? '---|' : ''));
    for (const it of c.items) out.push(`| ${it.ratio} | ${it.pairs} | ${pts(it.heldOut)} | ${pts(it.seen)} |` + (c.target ? ` ${meetsTarget(it) ? 'met' : 'not met'} |` : ''));
    out.push('');
  }
  for (const n of r.notes ?? []) out.push(n);
  out.push(`Wall time: ${(r.seconds / 60).toFixed(1)} min.`, '');
  return out.join('\n');
}
