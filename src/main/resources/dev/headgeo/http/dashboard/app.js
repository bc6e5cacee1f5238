'use strict';
// headgeo dashboard: polls the JSON API every 2 s and redraws in place. Everything that comes
// from records (run ids, messages) is put into the page as text nodes, never as HTML.
(function () {
  const POLL_MS = 2000;
  const ANCHORS = ['LAST', 'MIDDLE', 'BEST'];
  const COLORS = { SUPPORTED: '#1a9850', PARTIALLY_SUPPORTED: '#c77c02', REJECTED: '#d73027' };
  const ANCHOR_COLORS = { LAST: '#3454d1', MIDDLE: '#8e44ad', BEST: '#16a3b8' };
  const LABEL = { SUPPORTED: 'supported', PARTIALLY_SUPPORTED: 'partial', REJECTED: 'rejected' };
  const view = document.getElementById('view');
  const conn = document.getElementById('conn');
  let timer = null;
  let charts = {};
  let page = null;
  // the verdict and stability thresholds, from /api/thresholds (the analysis's own constants)
  let limits = null;

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return e;
  }
  const fmt = (x, d) => (x === null || x === undefined ? '–' : Number(x).toFixed(d === undefined ? 3 : d));
  function ago(ms) {
    if (!ms) return '–';
    const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.round(s / 60) + ' min ago';
    if (s < 86400) return Math.round(s / 3600) + ' h ago';
    return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  }
  function chip(verdict, residual, primary) {
    const cls = 'chip c-' + (verdict || 'NONE') + (primary ? ' primary' : '');
    return el('span', { class: cls, title: primary ? 'primary anchor' : '' },
      verdict ? LABEL[verdict] : 'no verdict', residual === null || residual === undefined ? null : el('small', {}, fmt(residual, 3)));
  }
  // the page's requests in flight: aborted when the user goes to another page
  let inFlight = new AbortController();
  async function getJson(path) {
    const r = await fetch(path, { headers: { Accept: 'application/json' }, signal: inFlight.signal });
    if (!r.ok) {
      let msg = r.status + '';
      try { msg = (await r.json()).error || msg; } catch (e) { /* not JSON */ }
      const err = new Error(msg); err.status = r.status; throw err;
    }
    return r.json();
  }
  function setConn(ok, text) {
    conn.className = 'conn ' + (ok ? 'ok' : 'err');
    conn.textContent = text;
  }
  function disposeCharts() {
    Object.values(charts).forEach((c) => c.dispose());
    charts = {};
  }
  function chart(id) {
    if (!charts[id]) charts[id] = echarts.init(document.getElementById(id), null, { renderer: 'canvas' });
    return charts[id];
  }
  window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));

  // ---- runs overview -------------------------------------------------------------------------
  function renderOverview(runs, alerts) {
    const counts = { SUPPORTED: 0, PARTIALLY_SUPPORTED: 0, REJECTED: 0 };
    let flips = 0;
    runs.forEach((r) => { if (r.verdict) counts[r.verdict]++; flips += r.flips; });
    const tiles = el('div', { class: 'tiles' },
      el('div', { class: 'tile' }, el('div', { class: 'n' }, runs.length), el('div', { class: 'l' }, 'runs')),
      el('div', { class: 'tile ok' }, el('div', { class: 'n' }, counts.SUPPORTED), el('div', { class: 'l' }, 'supported')),
      el('div', { class: 'tile mid' }, el('div', { class: 'n' }, counts.PARTIALLY_SUPPORTED), el('div', { class: 'l' }, 'partially supported')),
      el('div', { class: 'tile bad' }, el('div', { class: 'n' }, counts.REJECTED), el('div', { class: 'l' }, 'rejected')),
      el('div', { class: 'tile' }, el('div', { class: 'n' }, flips), el('div', { class: 'l' }, 'verdict flips')));

    const table = el('table', { id: 'runs' },
      el('thead', {}, el('tr', {},
        el('th', {}, 'run'), el('th', { class: 'num' }, 'checkpoint'),
        ...ANCHORS.map((a) => el('th', {}, a.toLowerCase() + ' anchor')),
        el('th', {}, 'forecast'), el('th', { class: 'num' }, 'flips'), el('th', {}, 'last report'))));
    const body = el('tbody');
    runs.forEach((r) => {
      const link = el('a', { href: '#/run/' + encodeURIComponent(r.run_id), class: 'runid', title: r.run_id }, r.run_id);
      const status = r.last_status === 'INCOMPLETE' ? el('span', { class: 'chip c-INCOMPLETE', style: 'min-width:0;margin-left:6px' }, 'incomplete') : null;
      body.appendChild(el('tr', { 'data-run': r.run_id },
        el('td', {}, link),
        el('td', { class: 'num' }, String(r.last_checkpoint), status),
        ...ANCHORS.map((a) => el('td', { class: 'verdict', 'data-anchor': a }, chip(r.verdicts[a], r.mean_residuals[a], a === r.primary_anchor))),
        el('td', {}, r.forecast ? el('span', { class: 'fc', title: 'trend ' + fmt(r.forecast.trend_per_checkpoint, 4) + ' per checkpoint' },
          (r.forecast.trend_per_checkpoint > 0 ? '↗ ' : '↘ ') + r.forecast.boundary + ' by ' + r.forecast.crossing_checkpoint) : el('span', { class: 'muted' }, '–')),
        el('td', { class: 'num' }, String(r.flips)),
        el('td', { class: 'muted' }, ago(r.last_report_at))));
    });
    table.appendChild(body);
    const runsCard = el('div', { class: 'card' }, el('h2', {}, 'Runs', el('span', { class: 'sub' }, 'verdict of the latest complete checkpoint, mean residual; outlined: primary anchor')),
      runs.length ? table : el('div', { class: 'empty' }, 'No runs yet: publish layer records to headgeo.layers.'));
    const alertsCard = el('div', { class: 'card' }, el('h2', {}, 'Alerts', el('span', { class: 'sub' }, 'newest first')), alertList(alerts));
    view.replaceChildren(tiles, el('div', { class: 'grid' }, runsCard, alertsCard));
  }

  function alertList(alerts) {
    if (!alerts.length) return el('div', { class: 'empty' }, 'No alerts.');
    const ul = el('ul', { class: 'alerts', id: 'alerts' });
    alerts.slice(0, 100).forEach((a) => ul.appendChild(el('li', { class: a.type },
      el('span', { class: 'when' }, ago(a.raised_at)),
      el('div', { class: 'what' }, a.type.replace(/_/g, ' ')),
      el('div', { class: 'msg' }, a.message))));
    return ul;
  }

  // ---- one run ---------------------------------------------------------------------------------
  function buildRunPage(runId) {
    disposeCharts();
    view.replaceChildren(
      el('div', { class: 'runhead' }, el('a', { class: 'back', href: '#/' }, '← all runs'), el('h1', { id: 'run-title' }, runId), el('span', { id: 'run-chips' })),
      el('div', { id: 'run-forecast', class: 'forecast' }),
      el('div', { class: 'charts' },
        el('div', { class: 'card' }, el('h2', {}, 'Verdict timeline', el('span', { class: 'sub', id: 'timeline-sub' }, 'mean residual per anchor')), el('div', { class: 'chart', id: 'chart-timeline' })),
        el('div', { class: 'card' }, el('h2', {}, 'Per-layer residual', el('span', { class: 'sub', id: 'heat-sub' }, 'primary anchor, layer × checkpoint')), el('div', { class: 'chart', id: 'chart-heatmap' })),
        el('div', { class: 'card' }, el('h2', {}, 'Shape invariance', el('span', { class: 'sub' }, 'mean pairwise shape cosine across layers')), el('div', { class: 'chart', id: 'chart-shape' })),
        el('div', { class: 'card' }, el('h2', {}, 'Alerts of this run'), el('div', { id: 'run-alerts' }))),
      el('div', { class: 'card' }, el('h2', {}, 'Checkpoints'), el('div', { id: 'run-checkpoints' })));
  }

  function bands(top) {
    return {
      silent: true,
      data: [
        [{ yAxis: 0, itemStyle: { color: 'rgba(26,152,80,0.10)' } }, { yAxis: limits.verdict.supported_below }],
        [{ yAxis: limits.verdict.supported_below, itemStyle: { color: 'rgba(199,124,2,0.10)' } }, { yAxis: limits.verdict.partially_supported_below }],
        [{ yAxis: limits.verdict.partially_supported_below, itemStyle: { color: 'rgba(215,48,39,0.08)' } }, { yAxis: top }]]
    };
  }

  function renderForecast(f) {
    const box = document.getElementById('run-forecast');
    if (!f) {
      box.replaceChildren(el('span', { class: 'muted' }, 'Trend: needs three complete checkpoints.'));
      box.className = 'forecast';
      return;
    }
    const sign = f.trend_per_checkpoint >= 0 ? '+' : '−';
    const trend = 'Trend over the last ' + f.points + ' complete checkpoints: ' + sign + fmt(Math.abs(f.trend_per_checkpoint), 4)
      + ' per checkpoint (' + Math.round(f.agreement * 100) + ' % of pairs agree), ' + fmt(f.forecast_mean_residual, 3)
      + ' expected by checkpoint ' + f.horizon_checkpoint + '. ';
    const verdict = f.boundary === null ? el('span', {}, 'No verdict boundary within the horizon.')
      : el('b', {}, 'Forecast: crosses ' + f.boundary + ' near checkpoint ' + f.crossing_checkpoint + '.');
    box.className = 'forecast' + (f.boundary === null ? '' : ' warn');
    box.replaceChildren(el('span', {}, trend), verdict);
  }

  /** A numeric checkpoint axis from the first kept checkpoint; integer ticks only. */
  function checkpointAxis(max) {
    return { type: 'value', min: 'dataMin', max, minInterval: 1, name: 'checkpoint', nameLocation: 'middle', nameGap: 26,
      axisLabel: { hideOverlap: true, formatter: (v) => String(v) } };
  }

  function renderRun(run) {
    document.getElementById('timeline-sub').textContent = 'mean residual per anchor; bands at '
      + limits.verdict.supported_below + ' and ' + limits.verdict.partially_supported_below;
    const cps = run.checkpoints;
    const complete = cps.filter((c) => c.status === 'COMPLETE');
    const latest = complete.length ? complete[complete.length - 1] : null;
    const chips = el('span', {});
    ANCHORS.forEach((a) => {
      const f = latest ? latest.fits.find((x) => x.anchor === a) : null;
      chips.appendChild(el('span', { style: 'margin-right:8px' }, el('span', { class: 'muted' }, a.toLowerCase() + ' '), chip(f ? f.verdict : null, f ? f.mean_residual : null, a === run.primary_anchor)));
    });
    document.getElementById('run-chips').replaceChildren(chips);

    const f = run.forecast;
    const x = cps.map((c) => String(c.checkpoint));
    const atIndex = f ? x.indexOf(String(f.at_checkpoint)) : -1;
    const showForecast = f && atIndex >= 0 && cps.slice(atIndex + 1).every((c) => c.status !== 'COMPLETE');
    renderForecast(f);
    const values = cps.flatMap((c) => c.fits.map((f) => f.mean_residual));
    if (f) values.push(f.forecast_mean_residual);
    const top = Math.ceil(Math.max(0.4, ...values) * 10) / 10;
    const series = ANCHORS.map((a, i) => ({
      name: a, type: 'line', symbolSize: 7, connectNulls: false,
      itemStyle: { color: ANCHOR_COLORS[a] }, lineStyle: { width: a === run.primary_anchor ? 3 : 1.5 },
      // [checkpoint, value] on a numeric axis: uneven checkpoint spacing and the forecast horizon drawn to scale
      data: cps.map((c) => { const f = c.fits.find((y) => y.anchor === a); return [c.checkpoint, f ? f.mean_residual : null]; }),
      markArea: i === 0 ? bands(top) : undefined
    }));
    if (showForecast) {
      const color = f.boundary === null ? '#6b7385' : '#d73027';
      series.push({ name: 'trend', type: 'line', symbol: 'emptyCircle', symbolSize: 6,
        itemStyle: { color }, lineStyle: { type: 'dashed', width: 2 },
        data: [[f.at_checkpoint, f.level], [f.horizon_checkpoint, f.forecast_mean_residual]],
        markLine: f.crossing_checkpoint === null ? undefined : { silent: true, symbol: 'none', lineStyle: { color, type: 'dotted' },
          label: { formatter: 'crosses ' + f.boundary, position: 'insideEndTop', color },
          data: [{ xAxis: f.crossing_checkpoint }] } });
    }
    const xMax = showForecast ? Math.max(f.horizon_checkpoint, cps[cps.length - 1].checkpoint) : 'dataMax';
    chart('chart-timeline').setOption({
      animation: false, grid: { left: 48, right: 24, top: 30, bottom: 40 },
      legend: { top: 0 }, tooltip: { trigger: 'axis', valueFormatter: (v) => fmt(v, 4) },
      xAxis: checkpointAxis(xMax),
      yAxis: { type: 'value', min: 0, max: top, name: 'mean residual' },
      series
    }, true);

    const primary = run.primary_anchor;
    const heat = [];
    let numLayers = 0;
    cps.forEach((c, ci) => {
      const f = c.fits.find((y) => y.anchor === primary);
      if (!f) return;
      numLayers = Math.max(numLayers, f.layer_mean_residuals.length);
      f.layer_mean_residuals.forEach((v, l) => heat.push([ci, l, v]));
    });
    document.getElementById('heat-sub').textContent = primary.toLowerCase() + ' anchor, layer × checkpoint';
    chart('chart-heatmap').setOption({
      animation: false, grid: { left: 48, right: 16, top: 10, bottom: 78 },
      tooltip: { formatter: (p) => 'checkpoint ' + x[p.value[0]] + ', layer ' + p.value[1] + ': ' + fmt(p.value[2], 4) },
      xAxis: { type: 'category', data: x, name: 'checkpoint', nameLocation: 'middle', nameGap: 26 },
      yAxis: { type: 'category', data: Array.from({ length: numLayers }, (_, i) => String(i)), name: 'layer' },
      visualMap: { min: 0, max: 0.5, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 160, itemWidth: 12,
        inRange: { color: ['#1a9850', '#fee08b', '#d73027'] }, text: ['0.5+', 'residual 0'] },
      series: [{ type: 'heatmap', data: heat, progressive: 0 }]
    }, true);

    chart('chart-shape').setOption({
      animation: false, grid: { left: 48, right: 16, top: 34, bottom: 40 },
      tooltip: { trigger: 'axis', valueFormatter: (v) => fmt(v, 4) },
      xAxis: checkpointAxis('dataMax'),
      yAxis: { type: 'value', max: 1, min: (v) => Math.min(0.88, Math.floor(v.min * 50) / 50), name: 'mean cosine' },
      series: [{ name: 'shape invariance', type: 'line', symbolSize: 7, itemStyle: { color: '#1d2433' },
        data: cps.map((c) => [c.checkpoint, c.shape_invariance_mean]),
        markLine: { silent: true, symbol: 'none', lineStyle: { type: 'dashed' },
          // a backing so the label stays readable where the line runs through it
          label: { position: 'insideEndTop', color: '#6b7385', backgroundColor: 'rgba(255,255,255,0.85)', padding: [1, 3] },
          data: [{ yAxis: limits.shape_stability.very_stable_above, label: { formatter: 'very stable > ' + limits.shape_stability.very_stable_above } },
            { yAxis: limits.shape_stability.approximately_stable_above, label: { formatter: 'approx. stable > ' + limits.shape_stability.approximately_stable_above } }] } }]
    }, true);

    document.getElementById('run-alerts').replaceChildren(alertList(run.alerts.slice().reverse()));

    const table = el('table', { id: 'checkpoints' }, el('thead', {}, el('tr', {},
      el('th', { class: 'num' }, 'checkpoint'), el('th', {}, 'status'), ...ANCHORS.map((a) => el('th', {}, a.toLowerCase())),
      el('th', { class: 'num' }, 'shape inv.'), el('th', { class: 'num' }, 'corr(opnorm, entropy)'), el('th', {}, 'completed'))));
    const body = el('tbody');
    cps.slice().reverse().forEach((c) => {
      body.appendChild(el('tr', {},
        el('td', { class: 'num' }, String(c.checkpoint)),
        el('td', {}, c.status === 'COMPLETE' ? 'complete' : 'incomplete, missing ' + c.missing_layers.length),
        ...ANCHORS.map((a) => { const f = c.fits.find((y) => y.anchor === a); return el('td', {}, f ? chip(f.verdict, f.mean_residual, a === run.primary_anchor) : '–'); }),
        el('td', { class: 'num' }, fmt(c.shape_invariance_mean, 4)),
        el('td', { class: 'num' }, fmt(c.corr_opnorm_entropy, 3)),
        el('td', { class: 'muted' }, ago(c.completed_at))));
    });
    table.appendChild(body);
    document.getElementById('run-checkpoints').replaceChildren(table);
  }

  // ---- routing and polling ---------------------------------------------------------------------
  async function refresh() {
    const shown = page;
    try {
      let missing = [];
      if (!limits) limits = await getJson('/api/thresholds');
      if (page.kind === 'run') {
        const run = await getJson('/api/runs/' + encodeURIComponent(page.run));
        if (shown !== page) return;   // an answer for a page the user has left is dropped
        renderRun(run);
      } else {
        const [runs, alerts] = await Promise.all([getJson('/api/runs'), getJson('/api/alerts')]);
        if (shown !== page) return;
        renderOverview(runs.runs, alerts.alerts);
        missing = [...new Set([...(runs.missing_instances || []), ...(alerts.missing_instances || [])])];
      }
      if (missing.length) {
        // the list is what the reachable instances hold; say which did not answer
        conn.className = 'conn warn';
        conn.textContent = 'partial · ' + missing.length + ' instance' + (missing.length > 1 ? 's' : '') + ' not answering: ' + missing.join(', ');
      } else {
        setConn(true, 'live · ' + new Date().toLocaleTimeString());
      }
    } catch (e) {
      if (shown !== page || e.name === 'AbortError') return;
      if (e.status === 404 && page.kind === 'run') {
        view.replaceChildren(el('div', { class: 'card empty' }, 'No run ', el('b', {}, page.run), ' (its history may have been dropped). ', el('a', { href: '#/' }, 'All runs')));
        disposeCharts();
      }
      setConn(false, 'error: ' + e.message);
    }
  }
  // the next poll starts POLL_MS after the previous one ended, so slow answers never pile up
  async function poll(forPage) {
    await refresh();
    if (forPage === page) timer = setTimeout(() => poll(forPage), POLL_MS);
  }
  function route() {
    const m = location.hash.match(/^#\/run\/(.+)$/);
    page = m ? { kind: 'run', run: decodeURIComponent(m[1]) } : { kind: 'runs' };
    disposeCharts();
    if (page.kind === 'run') buildRunPage(page.run); else view.replaceChildren(el('div', { class: 'empty' }, 'loading…'));
    if (timer) clearTimeout(timer);
    inFlight.abort();
    inFlight = new AbortController();
    poll(page);
  }
  window.addEventListener('hashchange', route);
  route();
})();
