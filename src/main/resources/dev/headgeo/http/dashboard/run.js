// One run's page: verdict chips, forecast, arriving checkpoints, the timeline, the layer map, shape
// invariance, alerts and the checkpoints table; "where it breaks" is where.js's.
import { el, fmt, ago, ranges, chip, tagChips, card } from './dom.js';
import { chart, disposeCharts, bands, checkpointAxis, sideAxis, residualScale } from './charts.js';
import { alertList } from './alerts.js';
import { renderWhere } from './where.js';
import { healthSection, renderHealth } from './health.js';
import * as api from './api.js';

const ANCHOR_COLORS = { LAST: '#3454d1', MIDDLE: '#8e44ad', BEST: '#16a3b8' };
// the run page shown: its id, the chosen checkpoint and anchor, the kept full reports, the latest answer
let page = null;
let limits = null;

/** Builds the page of {@code runId} with {@code initial} = {checkpoint, anchor} chosen (either may be null). */
export function buildRunPage(view, runId, initial, thresholds) {
  disposeCharts();
  limits = thresholds;
  page = { run_id: runId, selection: { checkpoint: initial.checkpoint, anchor: initial.anchor }, kept: { signature: null, reports: new Map() }, run: null };
  const exportLinks = el('span', { class: 'exports' }, 'export ',
    el('a', { id: 'export-csv', href: api.exportUrl(runId, 'csv'), download: '' }, 'CSV'), ' · ',
    el('a', { id: 'export-jsonl', href: api.exportUrl(runId, 'jsonl'), download: '' }, 'JSON lines'));
  view.replaceChildren(
    el('div', { class: 'runhead' }, el('a', { class: 'back', href: '#/' }, '← all runs'), el('h1', { id: 'run-title' }, runId),
      el('span', { id: 'run-context' }), el('span', { class: 'spacer' }), exportLinks),
    el('div', { id: 'run-chips', class: 'runchips' }),
    el('div', { id: 'open-checkpoints' }),
    el('div', { id: 'run-forecast', class: 'forecast' }),
    el('div', { class: 'charts' },
      card('Verdict timeline', { id: 'timeline-sub', text: 'mean residual per anchor' }, el('div', { class: 'chart', id: 'chart-timeline' })),
      card('Per-layer residual', { id: 'heat-sub', text: 'layer × checkpoint; click a cell to look inside' }, el('div', { class: 'chart', id: 'chart-heatmap' }))),
    ...healthSection(),
    el('h3', { class: 'section' }, 'Where it breaks', el('span', { class: 'sub', id: 'where-sub' }, '')),
    el('div', { class: 'charts three' },
      card('Heads', { id: 'headmap-sub', text: 'residual per layer × head' }, el('div', { class: 'anchor-tabs', id: 'anchor-tabs' }),
        el('div', { class: 'chart tall', id: 'head-map' })),
      card('Temperature schedule', { id: 'schedule-sub', text: 'fitted scale T per layer (mean over heads), one line per kept checkpoint' },
        el('div', { class: 'chart tall', id: 'schedule' })),
      card('Heads that break most', { id: 'top-sub', text: '' }, el('ol', { class: 'top-heads', id: 'top-heads' }))),
    card('The three anchors', { id: 'anchors-sub', text: 'for the chosen checkpoint' }, el('div', { class: 'tablewrap', id: 'anchors' }),
      el('a', { class: 'fieldref', href: '/docs/reference', target: '_blank', rel: 'noopener' }, 'report fields explained')),
    el('div', { class: 'charts' },
      card('Shape invariance', { id: 'shape-sub', text: 'mean pairwise shape cosine across layers' }, el('div', { class: 'chart', id: 'chart-shape' })),
      card('Alerts of this run', null, el('div', { id: 'run-alerts' }))),
    card('Checkpoints', { id: 'cp-sub', text: 'click a row to look inside' }, el('div', { class: 'tablewrap', id: 'run-checkpoints' })));
}

/** The run and its kept full reports (fetched again only when the run's checkpoints change); null when the user left. */
export async function loadRun() {
  const shown = page;
  const run = await api.run(shown.run_id);
  const last = run.checkpoints.length ? run.checkpoints[run.checkpoints.length - 1] : null;
  const signature = run.checkpoints.length + ':' + (last ? last.checkpoint + ':' + last.completed_at : '');
  if (shown.kept.signature !== signature) {
    const reports = await api.keptReports(run.run_id);
    shown.kept = { signature, reports: new Map(reports.map((r) => [r.checkpoint, r])) };
  }
  return shown === page ? run : null;
}

function select(checkpoint, anchor) {
  if (checkpoint !== undefined && checkpoint !== null) page.selection.checkpoint = checkpoint;
  if (anchor) page.selection.anchor = anchor;
  // the choice goes into the address (without a hashchange), so the view can be shared or reloaded
  const sel = page.selection;
  history.replaceState(null, '', '#/run/' + encodeURIComponent(page.run_id) + '?checkpoint=' + sel.checkpoint + '&anchor=' + (sel.anchor || ''));
  if (page.run) renderWhere(page, page.run, limits, select);
}

/** Says what the forecast found, or which condition withheld it (agreement below the minimum, no boundary ahead). */
function renderForecast(f) {
  const box = document.getElementById('run-forecast');
  const need = limits.forecast;
  if (!f) {
    box.replaceChildren(el('span', { class: 'muted' }, 'Trend: needs three complete checkpoints (the window is the last ' + need.window + ').'));
    box.className = 'forecast';
    return;
  }
  const sign = f.trend_per_checkpoint >= 0 ? '+' : '−';
  const agree = Math.round(f.agreement * 100);
  const trend = 'Trend over the last ' + f.points + ' complete checkpoints: ' + sign + fmt(Math.abs(f.trend_per_checkpoint), 4)
    + ' per checkpoint, ' + agree + ' % of pairwise slopes agree; ' + fmt(f.forecast_mean_residual, 3)
    + ' on the line by checkpoint ' + f.horizon_checkpoint + '. ';
  let verdict;
  if (f.boundary !== null) {
    verdict = el('b', {}, 'Forecast: crosses ' + f.boundary + ' near checkpoint ' + f.crossing_checkpoint + '.');
  } else if (f.agreement < need.min_agreement) {
    verdict = el('span', { class: 'why' }, 'No forecast: the trend is not consistent enough (' + agree + ' % of pairwise slopes agree, a forecast needs '
      + Math.round(need.min_agreement * 100) + ' %).');
  } else {
    const bounds = [limits.verdict.supported_below, limits.verdict.partially_supported_below];
    const ahead = f.trend_per_checkpoint > 0 ? bounds.filter((b) => f.current_mean_residual < b) : bounds.filter((b) => f.current_mean_residual >= b).reverse();
    verdict = el('span', { class: 'why' }, ahead.length
      ? 'No forecast: the line does not reach ' + ahead[0] + ' within the horizon (' + need.horizon + ' checkpoint intervals).'
      : 'No forecast: no verdict boundary lies ahead in the trend\'s direction.');
  }
  box.className = 'forecast' + (f.boundary === null ? '' : ' warn');
  box.replaceChildren(el('span', {}, trend), verdict);
}

function renderOpen(open) {
  const box = document.getElementById('open-checkpoints');
  if (!open || !open.length) { box.replaceChildren(); box.className = ''; return; }
  box.className = 'gathering';
  box.replaceChildren(el('b', {}, 'Arriving: '), ...open.map((o, i) => el('span', { class: 'open-cp' }, (i ? ' · ' : ''),
    'checkpoint ' + o.checkpoint + ': ' + o.received_layers + ' of ' + o.num_layers + ' layers, last layer ' + ago(o.last_layer_at)
    + (o.missing_layers && o.missing_layers.length ? ' (missing ' + ranges(o.missing_layers) + ')' : ''))));
}

function renderChips(run) {
  const complete = run.checkpoints.filter((c) => c.status === 'COMPLETE');
  const latest = complete.length ? complete[complete.length - 1] : null;
  const chips = el('span', {});
  limits.anchors.forEach((a) => {
    const f = latest ? latest.fits.find((x) => x.anchor === a) : null;
    chips.appendChild(el('span', { style: 'margin-right:8px' }, el('span', { class: 'muted' }, a.toLowerCase() + ' '), chip(f ? f.verdict : null, f ? f.mean_residual : null, a === run.primary_anchor)));
  });
  if (latest) chips.appendChild(el('span', { class: 'muted' }, 'at checkpoint ' + latest.checkpoint));
  document.getElementById('run-chips').replaceChildren(chips);
}

/** Mean residual per anchor over the checkpoints, the verdict bands behind, the forecast line ahead. */
function renderTimeline(run) {
  const cps = run.checkpoints;
  const f = run.forecast;
  const atIndex = f ? cps.findIndex((c) => c.checkpoint === f.at_checkpoint) : -1;
  const showForecast = f && atIndex >= 0 && cps.slice(atIndex + 1).every((c) => c.status !== 'COMPLETE');
  const values = cps.flatMap((c) => c.fits.map((y) => y.mean_residual));
  if (f) values.push(f.forecast_mean_residual);
  const top = Math.ceil(Math.max(0.4, ...values) * 10) / 10;
  const series = limits.anchors.map((a, i) => ({
    name: a, type: 'line', symbolSize: 7, connectNulls: false,
    itemStyle: { color: ANCHOR_COLORS[a] }, lineStyle: { width: a === run.primary_anchor ? 3 : 1.5 },
    // [checkpoint, value] on a numeric axis: uneven checkpoint spacing and the forecast horizon drawn to scale
    data: cps.map((c) => { const y = c.fits.find((z) => z.anchor === a); return [c.checkpoint, y ? y.mean_residual : null]; }),
    markArea: i === 0 ? bands(limits, top) : undefined
  }));
  if (showForecast) {
    const color = f.boundary === null ? '#6b7385' : '#d73027';
    // from the last point to the value the banner names at the horizon, so the line continues the data
    series.push({ name: 'trend', type: 'line', symbol: 'emptyCircle', symbolSize: 6,
      itemStyle: { color }, lineStyle: { type: 'dashed', width: 2 },
      data: [[f.at_checkpoint, f.current_mean_residual], [f.horizon_checkpoint, f.forecast_mean_residual]],
      markLine: f.crossing_checkpoint === null ? undefined : { silent: true, symbol: 'none', lineStyle: { color, type: 'dotted' },
        label: { formatter: 'crosses ' + f.boundary, position: 'insideEndTop', color },
        data: [{ xAxis: f.crossing_checkpoint }] } });
  }
  const xMax = showForecast ? Math.max(f.horizon_checkpoint, cps[cps.length - 1].checkpoint) : 'dataMax';
  document.getElementById('timeline-sub').textContent = 'mean residual per anchor; bands at '
    + limits.verdict.supported_below + ' and ' + limits.verdict.partially_supported_below;
  chart('chart-timeline').setOption({
    animation: false, grid: { left: 58, right: 24, top: 34, bottom: 40 },
    legend: { top: 0, right: 8 }, tooltip: { trigger: 'axis', valueFormatter: (v) => fmt(v, 4) },
    xAxis: checkpointAxis(xMax), yAxis: sideAxis('mean residual', { min: 0, max: top }), series
  }, true);
}

/** The primary anchor's mean residual per layer and checkpoint; a click chooses the checkpoint. */
function renderLayerMap(run) {
  const cps = run.checkpoints;
  const primary = run.primary_anchor;
  const heat = [];
  let numLayers = 0;
  cps.forEach((c, ci) => {
    const y = c.fits.find((z) => z.anchor === primary);
    if (!y) return;
    numLayers = Math.max(numLayers, y.layer_mean_residuals.length);
    y.layer_mean_residuals.forEach((v, l) => heat.push([ci, l, v]));
  });
  const x = cps.map((c) => String(c.checkpoint));
  document.getElementById('heat-sub').textContent = primary.toLowerCase() + ' anchor, layer × checkpoint; click a cell to look inside';
  chart('chart-heatmap', (p) => select(page.run.checkpoints[p.value[0]].checkpoint, null)).setOption({
    animation: false, grid: { left: 58, right: 16, top: 10, bottom: 78 },
    tooltip: { formatter: (p) => 'checkpoint ' + x[p.value[0]] + ', layer ' + p.value[1] + ': ' + fmt(p.value[2], 4) },
    xAxis: { type: 'category', data: x, name: 'checkpoint', nameLocation: 'middle', nameGap: 26 },
    yAxis: { type: 'category', data: Array.from({ length: numLayers }, (_, i) => String(i)), name: 'layer', nameLocation: 'middle', nameGap: 40 },
    // dimension 2: a cell is [checkpoint, layer, mean residual]
    visualMap: residualScale(2),
    series: [{ type: 'heatmap', data: heat, progressive: 0, emphasis: { itemStyle: { borderColor: '#1d2433', borderWidth: 1 } } }]
  }, true);
}

function renderShape(run) {
  const s = limits.shape_stability;
  chart('chart-shape').setOption({
    animation: false, grid: { left: 58, right: 16, top: 20, bottom: 40 },
    tooltip: { trigger: 'axis', valueFormatter: (v) => fmt(v, 4) },
    xAxis: checkpointAxis('dataMax'),
    yAxis: sideAxis('mean cosine', { max: 1, min: (v) => Math.min(0.88, Math.floor(v.min * 50) / 50) }),
    series: [{ name: 'shape invariance', type: 'line', symbolSize: 7, itemStyle: { color: '#1d2433' },
      data: run.checkpoints.map((c) => [c.checkpoint, c.shape_invariance_mean]),
      markLine: { silent: true, symbol: 'none', lineStyle: { type: 'dashed' },
        // a backing so the label stays readable where the line runs through it
        label: { position: 'insideEndTop', color: '#6b7385', backgroundColor: 'rgba(255,255,255,0.85)', padding: [1, 3] },
        data: [{ yAxis: s.very_stable_above, label: { formatter: 'very stable > ' + s.very_stable_above } },
          { yAxis: s.approximately_stable_above, label: { formatter: 'approx. stable > ' + s.approximately_stable_above } }] } }]
  }, true);
}

function renderCheckpointTable(run) {
  const anchors = limits.anchors;
  const table = el('table', { id: 'checkpoints' }, el('thead', {}, el('tr', {},
    el('th', { class: 'num' }, 'checkpoint'), el('th', {}, 'status'), ...anchors.map((a) => el('th', {}, a.toLowerCase())),
    el('th', { class: 'num' }, 'shape inv.'), el('th', { class: 'num' }, 'corr(opnorm, entropy)'), el('th', {}, 'completed'))));
  const body = el('tbody');
  run.checkpoints.slice().reverse().forEach((c) => {
    const kept = page.kept.reports.has(c.checkpoint);
    const row = el('tr', { class: 'pickable' + (c.checkpoint === page.selection.checkpoint ? ' selected' : ''), 'data-checkpoint': String(c.checkpoint),
      title: kept ? 'show this checkpoint\'s heads' : 'summary only: the full report is no longer kept' },
      el('td', { class: 'num' }, String(c.checkpoint), kept ? null : el('span', { class: 'muted', title: 'summary only' }, ' ·')),
      el('td', {}, c.status === 'COMPLETE' ? 'complete' : 'incomplete, missing ' + c.missing_layers.length),
      ...anchors.map((a) => { const f = c.fits.find((y) => y.anchor === a); return el('td', {}, f ? chip(f.verdict, f.mean_residual, a === run.primary_anchor) : '–'); }),
      el('td', { class: 'num' }, fmt(c.shape_invariance_mean, 4)),
      el('td', { class: 'num' }, fmt(c.corr_opnorm_entropy, 3)),
      el('td', { class: 'muted' }, ago(c.completed_at)));
    row.addEventListener('click', () => select(c.checkpoint, null));
    body.appendChild(row);
  });
  table.appendChild(body);
  document.getElementById('run-checkpoints').replaceChildren(table);
}

export function renderRun(run) {
  page.run = run;
  document.getElementById('run-context').replaceChildren(tagChips(run.model, run.tags));
  renderChips(run);
  renderOpen(run.open_checkpoints);
  renderForecast(run.forecast);
  renderTimeline(run);
  renderLayerMap(run);
  renderShape(run);
  document.getElementById('run-alerts').replaceChildren(alertList(run.alerts.slice().reverse(), limits, 'run-alerts-list'));
  renderCheckpointTable(run);
  renderHealth(page, run, limits);
  renderWhere(page, run, limits, select);
}
