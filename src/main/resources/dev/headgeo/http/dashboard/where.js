// "Where it breaks" on a run's page: for the chosen checkpoint and anchor, the heads map, the heads that
// break most, the three anchors side by side, and the temperature schedule of every kept checkpoint.
import { el, fmt, chip } from './dom.js';
import { chart, residualColor, residualScale, sideAxis } from './charts.js';

function keptComplete(page) {
  return [...page.kept.reports.values()].filter((r) => r.status === 'COMPLETE').sort((a, b) => a.checkpoint - b.checkpoint);
}

/** Draws the section for {@code page.selection}; {@code select(checkpoint, anchor)} changes it. */
export function renderWhere(page, run, limits, select) {
  const complete = keptComplete(page);
  const sel = page.selection;
  if (sel.checkpoint === null && complete.length) sel.checkpoint = complete[complete.length - 1].checkpoint;
  if (!sel.anchor) sel.anchor = run.primary_anchor;
  document.querySelectorAll('#checkpoints tr.pickable').forEach((tr) => tr.classList.toggle('selected', tr.dataset.checkpoint === String(sel.checkpoint)));
  document.getElementById('anchor-tabs').replaceChildren(...limits.anchors.map((a) => {
    const b = el('button', { type: 'button', class: 'tab' + (a === sel.anchor ? ' on' : ''), 'data-anchor': a }, a.toLowerCase() + ' anchor');
    b.addEventListener('click', () => select(null, a));
    return b;
  }));
  const report = page.kept.reports.get(sel.checkpoint);
  const where = document.getElementById('where-sub');
  if (!report || report.status !== 'COMPLETE') {
    const why = sel.checkpoint === null ? 'no complete checkpoint kept yet'
      : report ? 'checkpoint ' + sel.checkpoint + ' is incomplete: no fit'
        : 'checkpoint ' + sel.checkpoint + ': only its summary is kept (the newest full reports are kept, --kept-reports)';
    where.textContent = why;
    chart('head-map').setOption({ title: { text: why, left: 'center', top: 'middle', textStyle: { fontSize: 13, color: '#6b7385', fontWeight: 400 } }, series: [] }, true);
    document.getElementById('top-heads').replaceChildren();
    document.getElementById('anchors').replaceChildren(el('div', { class: 'empty' }, why));
  } else {
    where.textContent = 'checkpoint ' + report.checkpoint + ', ' + sel.anchor.toLowerCase() + ' anchor (layer '
      + report.fits.find((f) => f.anchor === sel.anchor).anchor_layer + '); pick a checkpoint in the table or the layer map';
    renderHeadMap(report, sel.anchor);
    renderTopHeads(report, sel.anchor, limits);
    renderAnchors(report, sel.anchor, limits, select);
  }
  renderSchedule(complete, sel, select);
}

function renderHeadMap(report, anchor) {
  const fit = report.fits.find((f) => f.anchor === anchor);
  const data = [];
  fit.layers.forEach((row) => row.head_residuals.forEach((v, h) => data.push([h, row.layer, v, row.head_scales[h]])));
  document.getElementById('headmap-sub').textContent = 'residual per layer × head; ' + report.num_layers + ' layers, ' + report.num_heads + ' heads';
  chart('head-map').setOption({
    animation: false, grid: { left: 58, right: 16, top: 10, bottom: 78 },
    tooltip: { formatter: (p) => 'layer ' + p.value[1] + ', head ' + p.value[0] + '<br>residual ' + fmt(p.value[2], 4) + ', scale T ' + fmt(p.value[3], 4) },
    xAxis: { type: 'category', data: Array.from({ length: report.num_heads }, (_, i) => String(i)), name: 'head', nameLocation: 'middle', nameGap: 26 },
    yAxis: { type: 'category', data: Array.from({ length: report.num_layers }, (_, i) => String(i)), name: 'layer', nameLocation: 'middle', nameGap: 40 },
    // dimension 2: a cell is [head, layer, residual, T]; without it ECharts colours by the last value, T
    visualMap: residualScale(2),
    series: [{ type: 'heatmap', data: data.map((d) => [d[0], d[1], d[2] === null ? '-' : d[2], d[3]]), progressive: 0 }]
  }, true);
}

function renderTopHeads(report, anchor, limits) {
  const fit = report.fits.find((f) => f.anchor === anchor);
  const cells = [];
  fit.layers.forEach((row) => row.head_residuals.forEach((v, h) => { if (v !== null) cells.push({ layer: row.layer, head: h, r: v, t: row.head_scales[h] }); }));
  cells.sort((a, b) => b.r - a.r);
  const worst = cells.slice(0, 10);
  document.getElementById('top-sub').textContent = 'largest residual, ' + anchor.toLowerCase() + ' anchor';
  const max = worst.length ? Math.max(worst[0].r, 1e-9) : 1;
  document.getElementById('top-heads').replaceChildren(...worst.map((c) => el('li', {},
    el('span', { class: 'where' }, 'layer ' + c.layer + ' · head ' + c.head),
    el('span', { class: 'bar' }, el('span', { class: 'fill', style: 'width:' + Math.round(100 * c.r / max) + '%;background:' + residualColor(limits, c.r) })),
    el('span', { class: 'num' }, fmt(c.r, 3)), el('span', { class: 'muted num' }, 'T ' + fmt(c.t, 3)))));
}

function renderAnchors(report, chosen, limits, select) {
  const rows = [
    ['anchor layer', (f) => String(f.anchor_layer)],
    ['verdict', (f) => chip(f.verdict, null, f.anchor === report.primary_anchor)],
    ['mean residual', (f) => fmt(f.mean_residual, 4)],
    ['max residual', (f) => fmt(f.max_residual, 4)],
    // the report's fields frac_below_0_10 and frac_below_0_20 name their cut-offs
    ['heads with residual < 0.10', (f) => fmt(100 * f.frac_below_0_10, 1) + ' %'],
    ['heads with residual < 0.20', (f) => fmt(100 * f.frac_below_0_20, 1) + ' %'],
    ['corr(T, entropy)', (f) => fmt(f.corr_scale_entropy, 3)],
    ['worst layer', (f) => { const w = f.layers.reduce((a, b) => (b.mean_residual > a.mean_residual ? b : a)); return 'layer ' + w.layer + ' (' + fmt(w.mean_residual, 3) + ')'; }]];
  const anchors = limits.anchors;
  const head = el('tr', {}, el('th', {}, 'checkpoint ' + report.checkpoint), ...anchors.map((a) => {
    const th = el('th', { class: 'num pickable' + (a === chosen ? ' on' : '') }, a.toLowerCase());
    th.addEventListener('click', () => select(null, a));
    return th;
  }));
  const body = el('tbody', {}, ...rows.map(([name, cell]) => el('tr', {}, el('td', { class: 'muted' }, name),
    ...anchors.map((a) => { const f = report.fits.find((y) => y.anchor === a); return el('td', { class: 'num' + (a === chosen ? ' on' : '') }, f ? cell(f) : '–'); }))));
  document.getElementById('anchors').replaceChildren(el('table', { id: 'anchors-table' }, el('thead', {}, head), body));
}

/** Light to dark with training time: the derived temperature schedule of each kept checkpoint. */
function renderSchedule(complete, sel, select) {
  const anchor = sel.anchor;
  const n = complete.length;
  const shade = (i) => { const t = n <= 1 ? 1 : i / (n - 1); const c = (a, b) => Math.round(a + (b - a) * t); return 'rgb(' + c(170, 29) + ',' + c(190, 36) + ',' + c(240, 120) + ')'; };
  const series = complete.map((r, i) => {
    const fit = r.fits.find((f) => f.anchor === anchor);
    const on = r.checkpoint === sel.checkpoint;
    return { name: String(r.checkpoint), type: 'line', symbolSize: on ? 6 : 3, z: on ? 10 : 2,
      itemStyle: { color: on ? '#d73027' : shade(i) }, lineStyle: { width: on ? 3 : 1.5 },
      data: fit.layers.map((l) => [l.layer, l.mean_scale]) };
  });
  document.getElementById('schedule-sub').textContent = 'fitted scale T per layer (mean over heads), ' + anchor.toLowerCase() + ' anchor; '
    + (n ? n + ' kept checkpoints, light → dark with training' + (sel.checkpoint !== null ? ', red: ' + sel.checkpoint : '') : 'no complete checkpoint kept');
  chart('schedule', (p) => select(Number(p.seriesName), null)).setOption({
    animation: false, grid: { left: 58, right: 16, top: 14, bottom: 40 },
    tooltip: { trigger: 'item', formatter: (p) => 'checkpoint ' + p.seriesName + ', layer ' + p.value[0] + ': T ' + fmt(p.value[1], 4) },
    xAxis: { type: 'value', min: 0, max: 'dataMax', minInterval: 1, name: 'layer', nameLocation: 'middle', nameGap: 26 },
    yAxis: sideAxis('scale T', { scale: true }),
    series
  }, true);
}
