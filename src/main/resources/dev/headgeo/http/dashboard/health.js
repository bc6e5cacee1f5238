// A run's attention health: the state of its latest complete checkpoint and the heads that drive it, the lowest head
// entropy and the largest measured logit over the checkpoints, and every head's entropy over the kept checkpoints.
import { el, fmt, card } from './dom.js';
import { chart, checkpointAxis, sideAxis } from './charts.js';

const STATE_CLASS = { STABLE: 'ok', GROWING: 'warn', COLLAPSED: 'bad' };
// low entropy is the trouble: red at 0, green at the probe's ceiling
const ENTROPY_COLORS = ['#d73027', '#fee08b', '#1a9850'];

/** The section's elements (ids the tests find: health-state, health-timeline, health-map). */
export function healthSection() {
  return [
    el('h3', { class: 'section' }, 'Attention health', el('span', { class: 'sub', id: 'health-sub' }, '')),
    el('div', { id: 'health-state', class: 'health' }),
    el('div', { class: 'charts' },
      card('Entropy and logits', { id: 'health-timeline-sub', text: 'lowest head entropy and largest measured logit per checkpoint' },
        el('div', { class: 'chart', id: 'health-timeline' })),
      card('Head entropy', { id: 'health-map-sub', text: 'entropy per head (layer.head) × kept checkpoint' },
        el('div', { class: 'chart tall', id: 'health-map' })))
  ];
}

function latestHealth(run) {
  const judged = run.checkpoints.filter((c) => c.status === 'COMPLETE' && c.health);
  return judged.length ? judged[judged.length - 1] : null;
}

function renderState(run, levels) {
  const box = document.getElementById('health-state');
  const latest = latestHealth(run);
  if (!latest) {
    box.className = 'health';
    box.replaceChildren(el('span', { class: 'muted' }, 'No attention health yet: it comes with reports of version 3 (headgeo 0.5).'));
    return;
  }
  const h = latest.health;
  const heads = h.heads.length > 16 ? h.heads.slice(0, 16).join(', ') + ' and ' + (h.heads.length - 16) + ' more' : h.heads.join(', ');
  const what = {
    STABLE: 'no layer has half its heads below ' + levels.collapsed_entropy + ' nats and no head grows toward collapse.',
    GROWING: 'heads whose logit scale grew ' + levels.growth_factor + '× or more while their entropy fell to '
      + levels.entropy_fall + ' of what it was: ' + heads + '.',
    COLLAPSED: 'heads below ' + levels.collapsed_entropy + ' nats (attending one-hot), at least '
      + Math.round(levels.collapsed_layer_fraction * 100) + ' % of a layer: ' + heads + '.'
  }[h.state] || '';
  box.className = 'health ' + (STATE_CLASS[h.state] || '');
  box.replaceChildren(el('b', { id: 'health-state-name' }, h.state), ' at checkpoint ' + latest.checkpoint + ': ' + what,
    el('span', { class: 'muted' }, ' Lowest entropy ' + fmt(h.min_entropy, 4) + ' nats'
      + (h.max_logit === null ? '' : ', largest logit ' + fmt(h.max_logit, 1)) + ', largest σ_max ' + fmt(h.max_sigma, 1) + '.'));
}

/** Lowest head entropy (left axis) and largest measured logit (right axis, logarithmic) per checkpoint. */
function renderTimeline(run, levels) {
  const cps = run.checkpoints.filter((c) => c.status === 'COMPLETE' && c.health);
  const logits = cps.filter((c) => c.health.max_logit !== null && c.health.max_logit > 0);
  const series = [{
    name: 'lowest head entropy (nats)', type: 'line', symbolSize: 7, yAxisIndex: 0, itemStyle: { color: '#3454d1' },
    data: cps.map((c) => ({ value: [c.checkpoint, c.health.min_entropy], state: c.health.state,
      itemStyle: { color: c.health.state === 'COLLAPSED' ? '#d73027' : c.health.state === 'GROWING' ? '#c77c02' : '#3454d1' } })),
    markLine: { silent: true, symbol: 'none', lineStyle: { type: 'dashed', color: '#d73027' },
      label: { formatter: 'collapse below ' + levels.collapsed_entropy, position: 'insideEndTop', color: '#d73027',
        backgroundColor: 'rgba(255,255,255,0.85)', padding: [1, 3] },
      data: [{ yAxis: levels.collapsed_entropy }] }
  }];
  if (logits.length) {
    series.push({ name: 'largest attention logit', type: 'line', symbolSize: 6, yAxisIndex: 1, itemStyle: { color: '#8e44ad' },
      lineStyle: { type: 'dotted', width: 2 }, data: logits.map((c) => [c.checkpoint, c.health.max_logit]) });
  }
  chart('health-timeline').setOption({
    // the legend over the plot's middle and the plot below it: on a phone its two entries wrap, never over the logit axis
    animation: false, grid: { left: 58, right: logits.length ? 64 : 24, top: 56, bottom: 40 },
    legend: { top: 0, left: 'center' }, tooltip: { trigger: 'axis', valueFormatter: (v) => fmt(v, 4) },
    xAxis: checkpointAxis('dataMax'),
    yAxis: [sideAxis('entropy (nats)', { min: 0 }),
      Object.assign(sideAxis('logit', { type: 'log', min: 1, splitLine: { show: false } }), { position: 'right', show: logits.length > 0 })],
    series
  }, true);
}

/** Every head's entropy at every kept checkpoint (full reports); collapsed cells are the red ones. */
function renderMap(page) {
  const reports = [...page.kept.reports.values()].filter((r) => r.attention_health).sort((a, b) => a.checkpoint - b.checkpoint);
  const x = reports.map((r) => String(r.checkpoint));
  const rows = [];
  const heat = [];
  let top = 0;
  let ceiling = null;
  reports.forEach((r, ci) => {
    const h = r.attention_health;
    if (h.entropy_ceiling !== null) ceiling = h.entropy_ceiling;
    let row = 0;
    h.layers.forEach((l) => l.entropy.forEach((e, head) => {
      if (ci === 0 || rows.length <= row) rows[row] = l.layer + '.' + head;
      heat.push([ci, row, e]);
      top = Math.max(top, e);
      row += 1;
    }));
  });
  const max = ceiling !== null ? Math.max(ceiling, top) : Math.max(top, 1);
  document.getElementById('health-map-sub').textContent = 'entropy (nats) per head, layer.head × kept checkpoint'
    + (ceiling !== null ? '; probe ceiling ln T = ' + fmt(ceiling, 2) : '');
  chart('health-map').setOption({
    animation: false, grid: { left: 58, right: 16, top: 10, bottom: 78 },
    tooltip: { formatter: (p) => 'checkpoint ' + x[p.value[0]] + ', head ' + rows[p.value[1]] + ': entropy ' + fmt(p.value[2], 4) + ' nats' },
    xAxis: { type: 'category', data: x, name: 'checkpoint', nameLocation: 'middle', nameGap: 26 },
    yAxis: { type: 'category', data: rows, name: 'layer.head', nameLocation: 'middle', nameGap: 44, axisLabel: { hideOverlap: true } },
    // dimension 2: a cell is [checkpoint, head, entropy]
    visualMap: { dimension: 2, min: 0, max, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 160, itemWidth: 12,
      inRange: { color: ENTROPY_COLORS }, text: [fmt(max, 1) + ' nats', 'entropy 0'] },
    series: [{ type: 'heatmap', data: heat, progressive: 0, emphasis: { itemStyle: { borderColor: '#1d2433', borderWidth: 1 } } }]
  }, true);
}

export function renderHealth(page, run, limits) {
  const levels = limits.attention_health;
  document.getElementById('health-sub').textContent = 'entropy collapse and the logit growth before it, per head';
  renderState(run, levels);
  renderTimeline(run, levels);
  renderMap(page);
}
