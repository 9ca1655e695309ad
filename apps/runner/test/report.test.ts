/// <reference lib="dom" />
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { iern } from './cli-helpers.js';
import { tempDir, trainInProcess, writeConfig } from './run-helpers.js';
import { expandRunDirs, loadRun, stratumTable } from '../src/report/load-run.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('iern report', () => {
  const parent = tempDir('runs');
  const runs = [path.join(parent, 'run-a'), path.join(parent, 'run-b')];
  const out = path.join(tempDir('report'), 'report.html');

  beforeAll(async () => {
    const cfg = writeConfig();
    await trainInProcess(cfg, ['train.epochs=2'], { workDir: runs[0] });
    await trainInProcess(cfg, ['train.epochs=2', 'train.seed=5'], { workDir: runs[1] });
  });

  it('counts per-(confounder, emotion) accuracy from predictions.jsonl', () => {
    const run = loadRun(runs[0]!);
    const t = stratumTable(run.predictions, run.test!.classes);
    expect(t.confounders).toEqual(['even', 'odd']);
    expect(t.classes).toEqual(['anger', 'happiness', 'sadness']);
    const total = t.cells.flat().reduce((a, c) => a + c.total, 0);
    const correct = t.cells.flat().reduce((a, c) => a + c.correct, 0);
    expect(total).toBe(9);
    expect(correct).toBe(run.test!.correct);
  });

  it('writes one self-contained page and names a folder that is not a run', () => {
    const r = iern(['report', ...runs, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`report: ${out} (2 runs)`);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html.replaceAll('http://www.w3.org/2000/svg', '')).not.toMatch(/https?:\/\//);
    expect(html).toContain('<table id="comparison">');
    expect(expandRunDirs([parent])).toEqual(runs);
    const bad = iern(['report', tempDir('empty')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a run folder of iern train \(no metrics\.jsonl\)/);
  });

  it('renders in headless Chromium without console errors', async (ctx) => {
    if (!existsSync(CHROMIUM)) {
      console.warn(`SKIPPED browser test: ${CHROMIUM} is absent (Debian package 'chromium'; .ci/run installs it)`);
      ctx.skip();
    }
    if (!existsSync(out)) iern(['report', ...runs, '--out', out]);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (req) => { if (!req.url().startsWith('file:')) requests.push(req.url()); });
      await page.goto(`file://${out}`);
      await page.waitForSelector('body[data-rendered="true"]', { timeout: 10_000 });
      expect(errors).toEqual([]);
      expect(requests, 'nothing is fetched').toEqual([]);
      const charts = await page.evaluate(() =>
        [...document.querySelectorAll('svg[data-chart]')].map((s) => ({
          kind: s.getAttribute('data-chart'),
          title: s.getAttribute('aria-label'),
          paths: s.querySelectorAll('path').length,
          rects: s.querySelectorAll('rect').length,
          width: s.getBoundingClientRect().width,
        })),
      );
      const lines = charts.filter((c) => c.kind === 'line');
      const heat = charts.filter((c) => c.kind === 'heatmap');
      expect(lines.map((c) => c.title)).toEqual(expect.arrayContaining(['training loss (per log interval)', 'accuracy (%)', 'learning rate']));
      for (const c of lines) expect(c.paths, c.title!).toBeGreaterThanOrEqual(2);
      // two confusion matrices (3x3) and two stratum maps (2x3)
      expect(heat).toHaveLength(4);
      expect(heat.filter((c) => c.rects === 9)).toHaveLength(2);
      expect(heat.filter((c) => c.rects === 6)).toHaveLength(2);
      for (const c of charts) expect(c.width).toBeGreaterThan(100);
      expect(await page.locator('#comparison tbody tr').count()).toBe(2);
      const shot = path.join(tempDir('shot'), 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  });
});
