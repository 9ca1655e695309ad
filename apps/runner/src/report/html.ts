import { CLIENT_SCRIPT } from './client-script.js';
import { stratumTable, type RunData } from './load-run.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '-' : `${(v * 100).toFixed(2)}%`);

/** Worst accuracy over confounders (the number debiasing should raise). */
function worstStratum(run: RunData): { name: string; accuracy: number } | undefined {
  const byConf = new Map<string, { c: number; t: number }>();
  for (const p of run.predictions) {
    if (p.confounder === undefined) continue;
    const e = byConf.get(p.confounder) ?? { c: 0, t: 0 };
    e.t++;
    if (p.correct) e.c++;
    byConf.set(p.confounder, e);
  }
  let worst: { name: string; accuracy: number } | undefined;
  for (const [name, { c, t }] of byConf) if (t && (!worst || c / t < worst.accuracy)) worst = { name, accuracy: c / t };
  return worst;
}

function comparisonTable(runs: RunData[]): string {
  const head = ['run', 'strategy', 'backbone', 'epochs', 'seed', 'test accuracy', 'mean class acc.', 'worst confounder', 'best checkpoint', 'train img/s', 'folder'];
  const rows = runs.map((r) => {
    const speeds = r.metrics.filter((m) => m.kind === 'epoch' && typeof m['images_per_s'] === 'number').map((m) => m['images_per_s'] as number);
    const speed = speeds.length ? (speeds.reduce((a, b) => a + b, 0) / speeds.length).toFixed(1) : '-';
    const worst = worstStratum(r);
    const cells = [
      r.label,
      r.strategy,
      r.backbone,
      String(r.epochs),
      String(r.seed),
      pct(r.test?.accuracy),
      pct(r.test?.meanClassAccuracy),
      worst ? `${pct(worst.accuracy)} (${worst.name})` : '-',
      r.best ? `${r.best.metric} ${r.best.value.toFixed(4)} @ epoch ${r.best.epoch}` : '-',
      speed,
      r.dir,
    ];
    return `<tr>${cells.map((c, i) => `<td${i >= 3 && i <= 9 ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`;
  });
  return `<table id="comparison"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** One self-contained HTML page (inline CSS, data and script; nothing fetched). */
export function renderReport(runs: RunData[], generatedAt = new Date()): string {
  const data = {
    runs: runs.map((r) => ({
      label: r.label,
      metrics: r.metrics,
      test: r.test ? { classes: r.test.classes, confusion: r.test.confusion } : null,
      strata: r.predictions.length ? stratumTable(r.predictions, r.test?.classes ?? []) : null,
    })),
  };
  // `<` escaped so no string in the data can close the script element
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>iern report: ${esc(runs.map((r) => r.label).join(', '))}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: 4px 8px; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } th { background: #f5f5f5; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure.chart { margin: 0; border: 1px solid #eee; padding: 6px; }
figcaption { font-size: 12px; max-width: 520px; }
.legend { margin-right: 12px; white-space: nowrap; } .legend i { display: inline-block; width: 12px; height: 3px; margin: 0 4px 3px 0; vertical-align: middle; }
.meta { color: #666; font-size: 12px; }
</style>
</head>
<body>
<h1>iern report</h1>
<p class="meta">${runs.length} run(s), generated ${esc(generatedAt.toISOString())}</p>
<h2>Comparison</h2>
${comparisonTable(runs)}
<h2>Learning curves</h2>
<div class="charts" id="curves"></div>
<h2>Confusion matrices (test)</h2>
<div class="charts" id="confusion"></div>
<h2>Accuracy per (confounder, emotion) (test)</h2>
<div class="charts" id="strata"></div>
<script type="application/json" id="report-data">${json}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}
