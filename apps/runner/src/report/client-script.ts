/**
 * The report page's inline script (plain browser JavaScript, no libraries): reads the
 * embedded JSON and draws every chart as SVG. Kept as a string so no build step or bundler
 * can rewrite it.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var DATA = JSON.parse(document.getElementById('report-data').textContent);
  var COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (parent) parent.appendChild(e);
    return e;
  }
  function text(parent, x, y, s, attrs) {
    var t = el('text', Object.assign({ x: x, y: y, 'font-size': 11, fill: '#222' }, attrs || {}), parent);
    t.textContent = s;
    return t;
  }
  function fmt(v) {
    if (!isFinite(v)) return String(v);
    var a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : (Math.round(v * 1000) / 1000).toString();
  }
  function ticks(lo, hi, n) {
    if (!(hi > lo)) { hi = lo + 1; }
    var step = Math.pow(10, Math.floor(Math.log10((hi - lo) / n)));
    var err = (hi - lo) / n / step;
    if (err >= 7.5) step *= 10; else if (err >= 3.5) step *= 5; else if (err >= 1.5) step *= 2;
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(v);
    return out;
  }

  /** series: [{label, color, points: [[x, y], ...]}] */
  function lineChart(container, title, xLabel, series) {
    var W = 520, H = 300, L = 56, R = 12, T = 28, B = 40;
    var box = document.createElement('figure');
    box.className = 'chart';
    container.appendChild(box);
    var svg = el('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': title, 'data-chart': 'line' }, box);
    text(svg, W / 2, 16, title, { 'text-anchor': 'middle', 'font-size': 13, 'font-weight': 'bold' });
    var pts = [];
    series.forEach(function (s) { s.points.forEach(function (p) { if (isFinite(p[1])) pts.push(p); }); });
    if (!pts.length) { text(svg, W / 2, H / 2, 'no data', { 'text-anchor': 'middle' }); return svg; }
    var xs = pts.map(function (p) { return p[0]; }), ys = pts.map(function (p) { return p[1]; });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    if (x1 === x0) { x1 = x0 + 1; }
    if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
    var pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad;
    var sx = function (x) { return L + ((x - x0) / (x1 - x0)) * (W - L - R); };
    var sy = function (y) { return T + (1 - (y - y0) / (y1 - y0)) * (H - T - B); };
    ticks(y0, y1, 5).forEach(function (v) {
      el('line', { x1: L, x2: W - R, y1: sy(v), y2: sy(v), stroke: '#e5e5e5' }, svg);
      text(svg, L - 6, sy(v) + 4, fmt(v), { 'text-anchor': 'end' });
    });
    ticks(x0, x1, 6).forEach(function (v) {
      el('line', { x1: sx(v), x2: sx(v), y1: H - B, y2: H - B + 4, stroke: '#888' }, svg);
      text(svg, sx(v), H - B + 16, fmt(v), { 'text-anchor': 'middle' });
    });
    el('rect', { x: L, y: T, width: W - L - R, height: H - T - B, fill: 'none', stroke: '#888' }, svg);
    text(svg, (L + W - R) / 2, H - 6, xLabel, { 'text-anchor': 'middle' });
    series.forEach(function (s) {
      var p = s.points.filter(function (q) { return isFinite(q[1]); });
      if (!p.length) return;
      var d = p.map(function (q, i) { return (i ? 'L' : 'M') + sx(q[0]).toFixed(1) + ',' + sy(q[1]).toFixed(1); }).join(' ');
      el('path', { d: d, fill: 'none', stroke: s.color, 'stroke-width': 1.8, 'stroke-dasharray': s.dash || '' }, svg);
      if (p.length < 40) p.forEach(function (q) { el('circle', { cx: sx(q[0]), cy: sy(q[1]), r: 2.5, fill: s.color }, svg); });
    });
    var legend = document.createElement('figcaption');
    series.forEach(function (s) {
      var item = document.createElement('span');
      item.className = 'legend';
      item.innerHTML = '<i style="background:' + s.color + '"></i>';
      item.appendChild(document.createTextNode(s.label));
      legend.appendChild(item);
    });
    box.appendChild(legend);
    return svg;
  }

  /** Grid heat map: values in [0, 1] (NaN = empty), labels per cell. */
  function heatMap(container, title, rows, cols, value, label, rowTitle, colTitle, palette) {
    var cw = Math.max(44, Math.min(70, 560 / Math.max(1, cols.length))), ch = 28, L = 110, T = 70;
    var W = Math.max(L + cw * cols.length + 12, title.length * 8.2 + 16), H = T + ch * rows.length + 12;
    var box = document.createElement('figure');
    box.className = 'chart';
    container.appendChild(box);
    var svg = el('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': title, 'data-chart': 'heatmap' }, box);
    text(svg, 4, 14, title, { 'font-size': 13, 'font-weight': 'bold' });
    text(svg, 4, T - 6, rowTitle + ' \\ ' + colTitle, { 'font-size': 10, fill: '#666' });
    cols.forEach(function (c, j) {
      text(svg, L + cw * j + cw / 2, T - 8, c.length > 10 ? c.slice(0, 9) + '.' : c, { 'text-anchor': 'start', transform: 'rotate(-35 ' + (L + cw * j + cw / 2) + ' ' + (T - 8) + ')' });
    });
    rows.forEach(function (r, i) {
      text(svg, L - 6, T + ch * i + ch / 2 + 4, r.length > 16 ? r.slice(0, 15) + '.' : r, { 'text-anchor': 'end' });
      cols.forEach(function (c, j) {
        var v = value(i, j);
        var fill = !isFinite(v) ? '#f3f3f3'
          : palette === 'blue' ? 'hsl(212, 70%, ' + Math.round(97 - 52 * v) + '%)'
          : 'hsl(' + Math.round(v * 120) + ', 65%, ' + Math.round(88 - 30 * Math.abs(v - 0.5)) + '%)';
        var rect = el('rect', { x: L + cw * j, y: T + ch * i, width: cw - 1, height: ch - 1, fill: fill }, svg);
        var tip = el('title', {}, rect);
        tip.textContent = r + ' / ' + c + ': ' + label(i, j);
        text(svg, L + cw * j + cw / 2, T + ch * i + ch / 2 + 4, label(i, j), { 'text-anchor': 'middle', 'font-size': 10, fill: palette === 'blue' && v > 0.6 ? '#fff' : '#222' });
      });
    });
    return svg;
  }

  function section(id) { return document.getElementById(id); }

  // ---- learning curves ----
  var curves = section('curves');
  var lossKeys = {};
  DATA.runs.forEach(function (run) {
    run.metrics.forEach(function (m) {
      if (m.kind !== 'train') return;
      Object.keys(m).forEach(function (k) {
        if (['kind', 'epoch', 'step', 'time', 'images_per_s'].indexOf(k) < 0 && k.indexOf('lr/') !== 0 && typeof m[k] === 'number') lossKeys[k] = true;
      });
    });
  });
  Object.keys(lossKeys).forEach(function (key) {
    var series = DATA.runs.map(function (run, i) {
      return { label: run.label, color: COLORS[i % COLORS.length], points: run.metrics.filter(function (m) { return m.kind === 'train' && typeof m[key] === 'number'; }).map(function (m) { return [m.step, m[key]]; }) };
    });
    lineChart(curves, 'training ' + key + ' (per log interval)', 'step', series);
  });
  var accSeries = [];
  DATA.runs.forEach(function (run, i) {
    ['val', 'test'].forEach(function (split) {
      var pts = run.metrics.filter(function (m) { return m.kind === split && typeof m.accuracy === 'number'; }).map(function (m) { return [m.epoch, m.accuracy * 100]; });
      if (pts.length) accSeries.push({ label: run.label + ' (' + split + ')', color: COLORS[i % COLORS.length], dash: split === 'test' ? '5,3' : '', points: pts });
    });
  });
  lineChart(curves, 'accuracy (%)', 'epoch', accSeries);
  var lrSeries = [];
  DATA.runs.forEach(function (run, i) {
    var keys = {};
    run.metrics.forEach(function (m) { if (m.kind === 'train') Object.keys(m).forEach(function (k) { if (k.indexOf('lr/') === 0) keys[k] = true; }); });
    Object.keys(keys).forEach(function (k, j) {
      lrSeries.push({ label: run.label + ' ' + k, color: COLORS[i % COLORS.length], dash: j ? '4,3' : '', points: run.metrics.filter(function (m) { return m.kind === 'train' && typeof m[k] === 'number'; }).map(function (m) { return [m.step, m[k]]; }) });
    });
  });
  if (lrSeries.length) lineChart(curves, 'learning rate', 'step', lrSeries);

  // ---- confusion matrices and per-stratum heat maps ----
  var conf = section('confusion');
  var strata = section('strata');
  DATA.runs.forEach(function (run) {
    var t = run.test;
    if (t && t.confusion && t.confusion.length) {
      heatMap(conf, run.label + ': test confusion (rows = true, row-normalised)', t.classes, t.classes,
        function (i, j) { var n = t.confusion[i].reduce(function (a, b) { return a + b; }, 0); return n ? t.confusion[i][j] / n : NaN; },
        function (i, j) { return String(t.confusion[i][j]); }, 'true', 'predicted', 'blue');
    } else {
      var p = document.createElement('p'); p.textContent = run.label + ': no test results'; conf.appendChild(p);
    }
    var s = run.strata;
    if (s && s.confounders.length) {
      heatMap(strata, run.label + ': test accuracy per (confounder, emotion)', s.confounders, s.classes,
        function (i, j) { var c = s.cells[i][j]; return c.total ? c.correct / c.total : NaN; },
        function (i, j) { var c = s.cells[i][j]; return c.total ? Math.round((100 * c.correct) / c.total) + '% (' + c.total + ')' : '-'; }, 'confounder', 'emotion', 'accuracy');
    } else {
      var q = document.createElement('p'); q.textContent = run.label + ': no per-sample predictions'; strata.appendChild(q);
    }
  });
  document.body.setAttribute('data-rendered', 'true');
})();
`;
