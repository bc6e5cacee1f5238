// Several runs side by side: their verdict timelines and temperature schedules.
import { el, fmt, chip, tagChips, card } from './dom.js';
import { chart, disposeCharts, bands, checkpointAxis, sideAxis } from './charts.js';
import * as api from './api.js';

const RUN_COLORS = ['#3454d1', '#d73027', '#1a9850', '#8e44ad', '#c77c02', '#16a3b8'];
export const MAX_COMPARED = RUN_COLORS.length;

export function buildCompare(view, ids) {
  disposeCharts();
  view.replaceChildren(
    el('div', { class: 'runhead' }, el('a', { class: 'back', href: '#/' }, '← all runs'), el('h1', {}, 'Compare ' + ids.length + ' runs')),
    el('div', { id: 'compare-note' }),
    card('Verdict timelines', { id: 'compare-sub', text: 'mean residual of each run\'s primary anchor' }, el('div', { class: 'chart tall', id: 'compare-timeline' })),
    el('div', { class: 'charts' },
      card('Temperature schedules', { id: 'compare-schedule-sub', text: 'fitted scale T per layer at each run\'s latest complete checkpoint' },
        el('div', { class: 'chart', id: 'compare-schedule' })),
      card('Runs', null, el('div', { class: 'tablewrap', id: 'compare-runs' }))));
}

const latestComplete = (r) => {
  const complete = r.checkpoints.filter((c) => c.status === 'COMPLETE');
  return complete.length ? complete[complete.length - 1] : null;
};

export async function loadCompare(ids) {
  const runs = await Promise.all(ids.map((id) => api.run(id).catch((e) => ({ run_id: id, error: e.message }))));
  const found = runs.filter((r) => !r.error);
  const latestReports = await Promise.all(found.map((r) => {
    const latest = latestComplete(r);
    return latest ? api.report(r.run_id, latest.checkpoint).catch(() => null) : null;
  }));
  return { runs, found, latestReports };
}

export function renderCompare(ids, data, dropped, limits) {
  const color = (r) => RUN_COLORS[ids.indexOf(r.run_id) % RUN_COLORS.length];
  const note = document.getElementById('compare-note');
  const problems = data.runs.filter((r) => r.error).map((r) => r.run_id + ': ' + r.error);
  if (dropped) problems.unshift('only the first ' + MAX_COMPARED + ' runs are compared');
  note.className = problems.length ? 'forecast warn' : '';
  note.replaceChildren(...problems.map((p) => el('div', {}, p)));
  const values = data.found.flatMap((r) => r.checkpoints.flatMap((c) => c.fits.map((f) => f.mean_residual)));
  const top = Math.ceil(Math.max(0.4, ...values) * 10) / 10;
  const series = data.found.map((r, i) => ({
    name: r.run_id, type: 'line', symbolSize: 6, connectNulls: false, itemStyle: { color: color(r) },
    data: r.checkpoints.map((c) => { const f = c.fits.find((y) => y.anchor === r.primary_anchor); return [c.checkpoint, f ? f.mean_residual : null]; }),
    markArea: i === 0 ? bands(limits, top) : undefined }));
  chart('compare-timeline').setOption({
    animation: false, grid: { left: 58, right: 24, top: 40, bottom: 40 },
    legend: { top: 0, type: 'scroll' }, tooltip: { trigger: 'axis', valueFormatter: (v) => fmt(v, 4) },
    xAxis: checkpointAxis('dataMax'), yAxis: sideAxis('mean residual', { min: 0, max: top }), series }, true);
  chart('compare-schedule').setOption({
    animation: false, grid: { left: 58, right: 16, top: 40, bottom: 40 },
    legend: { top: 0, type: 'scroll' }, tooltip: { trigger: 'axis', valueFormatter: (v) => fmt(v, 4) },
    xAxis: { type: 'value', min: 0, max: 'dataMax', minInterval: 1, name: 'layer', nameLocation: 'middle', nameGap: 26 },
    yAxis: sideAxis('scale T', { scale: true }),
    series: data.found.map((r, i) => {
      const report = data.latestReports[i];
      const fit = report ? report.fits.find((f) => f.anchor === r.primary_anchor) : null;
      return { name: r.run_id + (report ? ' @' + report.checkpoint : ''), type: 'line', symbolSize: 4, itemStyle: { color: color(r) },
        data: fit ? fit.layers.map((l) => [l.layer, l.mean_scale]) : [] };
    }) }, true);
  const table = el('table', { id: 'compare-table' }, el('thead', {}, el('tr', {}, el('th', {}, 'run'), el('th', {}, 'context'),
    el('th', { class: 'num' }, 'latest'), el('th', {}, 'verdict'), el('th', { class: 'num' }, 'flips'))),
    el('tbody', {}, ...data.found.map((r) => {
      const latest = latestComplete(r);
      const fit = latest ? latest.fits.find((f) => f.anchor === r.primary_anchor) : null;
      return el('tr', {},
        el('td', {}, el('span', { class: 'swatch', style: 'background:' + color(r) }),
          el('a', { href: '#/run/' + encodeURIComponent(r.run_id), class: 'runid' }, r.run_id)),
        el('td', {}, tagChips(r.model, r.tags)),
        el('td', { class: 'num' }, latest ? String(latest.checkpoint) : '–'),
        el('td', {}, chip(fit ? fit.verdict : null, fit ? fit.mean_residual : null, true)),
        el('td', { class: 'num' }, String(r.alerts.filter((a) => a.type === 'VERDICT_FLIP').length)));
    })));
  document.getElementById('compare-runs').replaceChildren(table);
}
