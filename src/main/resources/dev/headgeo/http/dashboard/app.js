'use strict';
// headgeo dashboard: polls the JSON API every 2 s and redraws in place. Everything that comes
// from records (run ids, models, tags, messages) is put into the page as text nodes, never as HTML.
(function () {
  const POLL_MS = 2000;
  const ANCHORS = ['LAST', 'MIDDLE', 'BEST'];
  const ANCHOR_COLORS = { LAST: '#3454d1', MIDDLE: '#8e44ad', BEST: '#16a3b8' };
  const RUN_COLORS = ['#3454d1', '#d73027', '#1a9850', '#8e44ad', '#c77c02', '#16a3b8'];
  const MAX_COMPARED = RUN_COLORS.length;
  const LABEL = { SUPPORTED: 'supported', PARTIALLY_SUPPORTED: 'partial', REJECTED: 'rejected' };
  const RESIDUAL_COLORS = ['#1a9850', '#fee08b', '#d73027'];
  const view = document.getElementById('view');
  const conn = document.getElementById('conn');
  let timer = null;
  let charts = {};
  let page = null;
  // the verdict and stability thresholds and the forecast settings, from /api/thresholds
  let limits = null;
  // overview controls survive the 2 s redraws: what is typed, the order, the runs ticked for comparison
  const overviewState = { filter: '', byName: false, ticked: new Set() };
  // the overview's latest answer, redrawn at once when the filter or the order changes
  let overviewData = null;

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null) continue;
      if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return e;
  }
  const fmt = (x, d) => (x === null || x === undefined ? '–' : Number(x).toFixed(d === undefined ? 3 : d));
  const runPath = (id) => '/api/runs/' + encodeURIComponent(id);
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
  function tagChips(model, tags) {
    const box = el('span', { class: 'context' });
    if (model) box.appendChild(el('span', { class: 'tag model', title: 'model' }, model));
    Object.entries(tags || {}).forEach(([k, v]) => box.appendChild(el('span', { class: 'tag', title: 'tag' }, k + '=' + v)));
    return box;
  }
  /** "layers 5–11" from [5,6,7,8,9,10,11]: consecutive layers as ranges. */
  function ranges(xs) {
    const out = [];
    for (let i = 0; i < xs.length; i++) {
      let j = i;
      while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
      out.push(i === j ? String(xs[i]) : xs[i] + '–' + xs[j]);
      i = j;
    }
    return out.join(', ');
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
  async function getLines(path) {
    const r = await fetch(path, { signal: inFlight.signal });
    if (r.status === 404) return [];
    if (!r.ok) throw new Error(path + ': ' + r.status);
    return (await r.text()).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  }
  function setConn(ok, text) {
    conn.className = 'conn ' + (ok ? 'ok' : 'err');
    conn.textContent = text;
  }
  function disposeCharts() {
    Object.values(charts).forEach((c) => c.dispose());
    charts = {};
  }
  function chart(id, onClick) {
    if (!charts[id]) {
      charts[id] = echarts.init(document.getElementById(id), null, { renderer: 'canvas' });
      if (onClick) charts[id].on('click', onClick);
    }
    return charts[id];
  }
  window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));

  function bands(top) {
    return {
      silent: true,
      data: [
        [{ yAxis: 0, itemStyle: { color: 'rgba(26,152,80,0.10)' } }, { yAxis: limits.verdict.supported_below }],
        [{ yAxis: limits.verdict.supported_below, itemStyle: { color: 'rgba(199,124,2,0.10)' } }, { yAxis: limits.verdict.partially_supported_below }],
        [{ yAxis: limits.verdict.partially_supported_below, itemStyle: { color: 'rgba(215,48,39,0.08)' } }, { yAxis: top }]]
    };
  }
  /** A numeric checkpoint axis from the first kept checkpoint; integer ticks only. */
  function checkpointAxis(max) {
    return { type: 'value', min: 'dataMin', max, minInterval: 1, name: 'checkpoint', nameLocation: 'middle', nameGap: 26,
      axisLabel: { hideOverlap: true, formatter: (v) => String(v) } };
  }
  /** A y axis whose name runs along it, so it never meets a legend at the top. */
  function sideAxis(name, extra) {
    return Object.assign({ type: 'value', name, nameLocation: 'middle', nameGap: 40, nameTextStyle: { color: '#6b7385' } }, extra || {});
  }

  // ---- runs overview -------------------------------------------------------------------------
  /** 0 rejected, 1 flipping, 2 forecast to cross, 3 incomplete or gathering only, 4 the rest: trouble first. */
  function trouble(r) {
    if (r.verdict === 'REJECTED') return 0;
    if (r.flips > 0) return 1;
    if (r.forecast) return 2;
    if (r.last_status === 'INCOMPLETE' || r.last_status === null) return 3;
    return 4;
  }
  function matches(r, needle) {
    if (!needle) return true;
    const hay = [r.run_id, r.model || ''].concat(Object.entries(r.tags || {}).map(([k, v]) => k + '=' + v)).join('\n').toLowerCase();
    return needle.toLowerCase().split(/\s+/).filter(Boolean).every((w) => hay.includes(w));
  }

  function buildOverview() {
    const filter = el('input', { id: 'filter', type: 'search', placeholder: 'filter: run id, model or tag (owner=ana)', value: overviewState.filter, 'aria-label': 'filter runs' });
    filter.addEventListener('input', () => { overviewState.filter = filter.value; rerender(); });
    const sort = el('button', { id: 'sort-toggle', type: 'button', class: 'btn' });
    const sortLabel = () => { sort.textContent = overviewState.byName ? 'sorted by name · trouble first' : 'trouble first · sort by name'; };
    sortLabel();
    sort.addEventListener('click', () => { overviewState.byName = !overviewState.byName; sortLabel(); rerender(); });
    const compare = el('a', { id: 'compare-link', class: 'btn primary disabled', href: '#/' }, 'compare');
    view.replaceChildren(
      el('div', { class: 'tiles', id: 'tiles' }),
      el('div', { class: 'grid' },
        el('div', { class: 'card' },
          el('h2', {}, 'Runs', el('span', { class: 'sub' }, 'verdict of the latest complete checkpoint, mean residual; outlined: primary anchor')),
          el('div', { class: 'controls' }, filter, sort, compare),
          el('div', { id: 'runs-box' })),
        el('div', { class: 'card' }, el('h2', {}, 'Alerts', el('span', { class: 'sub' }, 'newest first')), el('div', { id: 'alerts-box' }))));
    overviewData = null;
    function rerender() { if (overviewData) renderOverview(overviewData.runs, overviewData.alerts); }
  }

  function updateCompareLink() {
    const link = document.getElementById('compare-link');
    if (!link) return;
    const ids = [...overviewState.ticked];
    link.textContent = ids.length ? 'compare ' + ids.length + (ids.length > MAX_COMPARED ? ' (first ' + MAX_COMPARED + ')' : '') : 'tick runs to compare';
    link.className = 'btn primary' + (ids.length >= 1 ? '' : ' disabled');
    link.setAttribute('href', ids.length ? '#/compare?runs=' + ids.slice(0, MAX_COMPARED).map(encodeURIComponent).join(',') : '#/');
  }

  function renderOverview(runs, alerts) {
    overviewData = { runs, alerts };
    const counts = { SUPPORTED: 0, PARTIALLY_SUPPORTED: 0, REJECTED: 0 };
    let flips = 0;
    let gathering = 0;
    runs.forEach((r) => { if (r.verdict) counts[r.verdict]++; flips += r.flips; gathering += (r.open_checkpoints || []).length; });
    document.getElementById('tiles').replaceChildren(
      el('div', { class: 'tile' }, el('div', { class: 'n' }, runs.length), el('div', { class: 'l' }, 'runs')),
      el('div', { class: 'tile ok' }, el('div', { class: 'n' }, counts.SUPPORTED), el('div', { class: 'l' }, 'supported')),
      el('div', { class: 'tile mid' }, el('div', { class: 'n' }, counts.PARTIALLY_SUPPORTED), el('div', { class: 'l' }, 'partially supported')),
      el('div', { class: 'tile bad' }, el('div', { class: 'n' }, counts.REJECTED), el('div', { class: 'l' }, 'rejected')),
      el('div', { class: 'tile' }, el('div', { class: 'n' }, flips), el('div', { class: 'l' }, 'verdict flips')),
      el('div', { class: 'tile' }, el('div', { class: 'n' }, gathering), el('div', { class: 'l' }, 'checkpoints arriving')));

    const shown = runs.filter((r) => matches(r, overviewState.filter));
    shown.sort((a, b) => (overviewState.byName ? 0 : trouble(a) - trouble(b)) || (a.run_id < b.run_id ? -1 : a.run_id > b.run_id ? 1 : 0));
    const table = el('table', { id: 'runs', class: 'cards-on-phone' },
      el('thead', {}, el('tr', {},
        el('th', { class: 'pick' }, ''), el('th', {}, 'run'), el('th', { class: 'num' }, 'checkpoint'),
        ...ANCHORS.map((a) => el('th', {}, a.toLowerCase() + ' anchor')),
        el('th', {}, 'forecast'), el('th', { class: 'num' }, 'flips'), el('th', {}, 'last report'))));
    const body = el('tbody');
    shown.forEach((r) => {
      const link = el('a', { href: '#/run/' + encodeURIComponent(r.run_id), class: 'runid', title: r.run_id }, r.run_id);
      const pick = el('input', { type: 'checkbox', 'aria-label': 'compare ' + r.run_id });
      pick.checked = overviewState.ticked.has(r.run_id);
      pick.addEventListener('change', () => { if (pick.checked) overviewState.ticked.add(r.run_id); else overviewState.ticked.delete(r.run_id); updateCompareLink(); });
      const open = r.open_checkpoints || [];
      const arriving = open.length ? el('span', { class: 'chip c-GATHERING', title: 'checkpoints whose layers are still arriving' },
        'arriving ' + open.map((o) => o.checkpoint + ': ' + o.received_layers + '/' + o.num_layers).join(', ')) : null;
      const status = r.last_status === 'INCOMPLETE' ? el('span', { class: 'chip c-INCOMPLETE' }, 'incomplete') : null;
      body.appendChild(el('tr', { 'data-run': r.run_id },
        el('td', { class: 'pick' }, pick),
        el('td', { 'data-label': 'run' }, link, tagChips(r.model, r.tags)),
        el('td', { class: 'num', 'data-label': 'checkpoint' }, r.last_checkpoint === null ? '–' : String(r.last_checkpoint), status, arriving),
        ...ANCHORS.map((a) => el('td', { class: 'verdict', 'data-anchor': a, 'data-label': a.toLowerCase() },
          chip(r.verdicts[a], r.mean_residuals[a], a === r.primary_anchor))),
        el('td', { 'data-label': 'forecast' }, r.forecast ? el('span', { class: 'fc', title: 'trend ' + fmt(r.forecast.trend_per_checkpoint, 4) + ' per checkpoint' },
          (r.forecast.trend_per_checkpoint > 0 ? '↗ ' : '↘ ') + r.forecast.boundary + ' by ' + r.forecast.crossing_checkpoint) : el('span', { class: 'muted' }, '–')),
        el('td', { class: 'num', 'data-label': 'flips' }, String(r.flips)),
        el('td', { class: 'muted', 'data-label': 'last report' }, ago(r.last_report_at))));
    });
    table.appendChild(body);
    const box = document.getElementById('runs-box');
    if (!runs.length) {
      box.replaceChildren(el('div', { class: 'empty' }, 'No runs yet: publish layer records to headgeo.layers.'));
    } else if (!shown.length) {
      box.replaceChildren(el('div', { class: 'empty' }, 'No run matches “' + overviewState.filter + '”.'));
    } else {
      box.replaceChildren(el('div', { class: 'tablewrap' }, table));
    }
    updateCompareLink();
    document.getElementById('alerts-box').replaceChildren(alertList(alerts));
  }

  const VERDICT_ORDER = ['SUPPORTED', 'PARTIALLY_SUPPORTED', 'REJECTED'];
  /** The alert's severity; alerts of earlier versions carry none and get the one headgeo derives. */
  function severity(a) {
    if (a.severity) return a.severity.toLowerCase();
    if (a.type === 'VERDICT_FLIP' && a.earlier_verdict && a.later_verdict) {
      const better = VERDICT_ORDER.indexOf(a.later_verdict) < VERDICT_ORDER.indexOf(a.earlier_verdict);
      return better ? 'info' : a.later_verdict === 'REJECTED' ? 'critical' : 'warning';
    }
    if (a.type === 'FLIP_FORECAST') return a.trend_per_checkpoint < 0 ? 'info' : 'warning';
    if (a.type === 'FLIP_FORECAST_WITHDRAWN' || a.type === 'INCOMPLETE_RESOLVED') return 'info';
    return 'warning';
  }
  /** What the card says it is: a recovery and the end of a state read as such, not as alarms. */
  function alertTitle(a, sev) {
    if (a.type === 'VERDICT_FLIP') return sev === 'info' ? 'recovery' : 'verdict flip' + (sev === 'critical' ? ' · critical' : '');
    if (a.type === 'FLIP_FORECAST_WITHDRAWN') return 'resolved · forecast no longer holds';
    if (a.type === 'INCOMPLETE_RESOLVED') return 'resolved · complete again';
    if (a.type === 'FLIP_FORECAST') return sev === 'info' ? 'forecast · recovery ahead' : 'flip forecast';
    return a.type.replace(/_/g, ' ').toLowerCase();
  }
  function alertList(alerts, id) {
    if (!alerts.length) return el('div', { class: 'empty' }, 'No alerts.');
    const ul = el('ul', { class: 'alerts', id: id || 'alerts' });
    alerts.slice(0, 100).forEach((a) => {
      const sev = severity(a);
      ul.appendChild(el('li', { class: a.type + ' sev-' + sev, 'data-severity': sev },
        el('span', { class: 'when' }, ago(a.raised_at)),
        el('div', { class: 'what' }, alertTitle(a, sev)),
        el('div', { class: 'msg' }, a.message)));
    });
    return ul;
  }

  // ---- one run ---------------------------------------------------------------------------------
  function card(title, sub, ...content) {
    return el('div', { class: 'card' }, el('h2', {}, title, sub === null ? null : el('span', { class: 'sub', id: sub.id }, sub.text)), ...content);
  }
  function buildRunPage(runId) {
    disposeCharts();
    page.selection = { checkpoint: page.initial.checkpoint, anchor: page.initial.anchor };
    page.kept = { signature: null, reports: new Map() };
    const exportLinks = el('span', { class: 'exports' }, 'export ',
      el('a', { id: 'export-csv', href: runPath(runId) + '/export?format=csv', download: '' }, 'CSV'), ' · ',
      el('a', { id: 'export-jsonl', href: runPath(runId) + '/export?format=jsonl', download: '' }, 'JSON lines'));
    view.replaceChildren(
      el('div', { class: 'runhead' }, el('a', { class: 'back', href: '#/' }, '← all runs'), el('h1', { id: 'run-title' }, runId),
        el('span', { id: 'run-context' }), el('span', { class: 'spacer' }), exportLinks),
      el('div', { id: 'run-chips', class: 'runchips' }),
      el('div', { id: 'open-checkpoints' }),
      el('div', { id: 'run-forecast', class: 'forecast' }),
      el('div', { class: 'charts' },
        card('Verdict timeline', { id: 'timeline-sub', text: 'mean residual per anchor' }, el('div', { class: 'chart', id: 'chart-timeline' })),
        card('Per-layer residual', { id: 'heat-sub', text: 'layer × checkpoint; click a cell to look inside' }, el('div', { class: 'chart', id: 'chart-heatmap' }))),
      el('h3', { class: 'section' }, 'Where it breaks', el('span', { class: 'sub', id: 'where-sub' }, '')),
      el('div', { class: 'charts three' },
        card('Heads', { id: 'headmap-sub', text: 'residual per layer × head' }, el('div', { class: 'anchor-tabs', id: 'anchor-tabs' }),
          el('div', { class: 'chart tall', id: 'head-map' })),
        card('Temperature schedule', { id: 'schedule-sub', text: 'fitted scale T per layer (mean over heads), one line per kept checkpoint' },
          el('div', { class: 'chart tall', id: 'schedule' })),
        card('Heads that break most', { id: 'top-sub', text: '' }, el('ol', { class: 'top-heads', id: 'top-heads' }))),
      card('The three anchors', { id: 'anchors-sub', text: 'for the chosen checkpoint' }, el('div', { class: 'tablewrap', id: 'anchors' })),
      el('div', { class: 'charts' },
        card('Shape invariance', { id: 'shape-sub', text: 'mean pairwise shape cosine across layers' }, el('div', { class: 'chart', id: 'chart-shape' })),
        card('Alerts of this run', null, el('div', { id: 'run-alerts' }))),
      card('Checkpoints', { id: 'cp-sub', text: 'click a row to look inside' }, el('div', { class: 'tablewrap', id: 'run-checkpoints' })));
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

  function select(checkpoint, anchor) {
    if (checkpoint !== undefined && checkpoint !== null) page.selection.checkpoint = checkpoint;
    if (anchor) page.selection.anchor = anchor;
    // the choice goes into the address (without a hashchange), so the view can be shared or reloaded
    const sel = page.selection;
    history.replaceState(null, '', '#/run/' + encodeURIComponent(page.run_id) + '?checkpoint=' + sel.checkpoint
      + '&anchor=' + (sel.anchor || ''));
    if (page.run) renderWhere(page.run);
  }

  function renderRun(run) {
    page.run = run;
    document.getElementById('timeline-sub').textContent = 'mean residual per anchor; bands at '
      + limits.verdict.supported_below + ' and ' + limits.verdict.partially_supported_below;
    document.getElementById('run-context').replaceChildren(tagChips(run.model, run.tags));
    const cps = run.checkpoints;
    const complete = cps.filter((c) => c.status === 'COMPLETE');
    const latest = complete.length ? complete[complete.length - 1] : null;
    const chips = el('span', {});
    ANCHORS.forEach((a) => {
      const f = latest ? latest.fits.find((x) => x.anchor === a) : null;
      chips.appendChild(el('span', { style: 'margin-right:8px' }, el('span', { class: 'muted' }, a.toLowerCase() + ' '), chip(f ? f.verdict : null, f ? f.mean_residual : null, a === run.primary_anchor)));
    });
    if (latest) chips.appendChild(el('span', { class: 'muted' }, 'at checkpoint ' + latest.checkpoint));
    document.getElementById('run-chips').replaceChildren(chips);
    renderOpen(run.open_checkpoints);

    const f = run.forecast;
    const x = cps.map((c) => String(c.checkpoint));
    const atIndex = f ? x.indexOf(String(f.at_checkpoint)) : -1;
    const showForecast = f && atIndex >= 0 && cps.slice(atIndex + 1).every((c) => c.status !== 'COMPLETE');
    renderForecast(f);
    const values = cps.flatMap((c) => c.fits.map((y) => y.mean_residual));
    if (f) values.push(f.forecast_mean_residual);
    const top = Math.ceil(Math.max(0.4, ...values) * 10) / 10;
    const series = ANCHORS.map((a, i) => ({
      name: a, type: 'line', symbolSize: 7, connectNulls: false,
      itemStyle: { color: ANCHOR_COLORS[a] }, lineStyle: { width: a === run.primary_anchor ? 3 : 1.5 },
      // [checkpoint, value] on a numeric axis: uneven checkpoint spacing and the forecast horizon drawn to scale
      data: cps.map((c) => { const y = c.fits.find((z) => z.anchor === a); return [c.checkpoint, y ? y.mean_residual : null]; }),
      markArea: i === 0 ? bands(top) : undefined
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
    chart('chart-timeline').setOption({
      animation: false, grid: { left: 58, right: 24, top: 34, bottom: 40 },
      legend: { top: 0, right: 8 }, tooltip: { trigger: 'axis', valueFormatter: (v) => fmt(v, 4) },
      xAxis: checkpointAxis(xMax),
      yAxis: sideAxis('mean residual', { min: 0, max: top }),
      series
    }, true);

    const primary = run.primary_anchor;
    const heat = [];
    let numLayers = 0;
    cps.forEach((c, ci) => {
      const y = c.fits.find((z) => z.anchor === primary);
      if (!y) return;
      numLayers = Math.max(numLayers, y.layer_mean_residuals.length);
      y.layer_mean_residuals.forEach((v, l) => heat.push([ci, l, v]));
    });
    document.getElementById('heat-sub').textContent = primary.toLowerCase() + ' anchor, layer × checkpoint; click a cell to look inside';
    chart('chart-heatmap', (p) => select(cps[p.value[0]].checkpoint, null)).setOption({
      animation: false, grid: { left: 58, right: 16, top: 10, bottom: 78 },
      tooltip: { formatter: (p) => 'checkpoint ' + x[p.value[0]] + ', layer ' + p.value[1] + ': ' + fmt(p.value[2], 4) },
      xAxis: { type: 'category', data: x, name: 'checkpoint', nameLocation: 'middle', nameGap: 26 },
      yAxis: { type: 'category', data: Array.from({ length: numLayers }, (_, i) => String(i)), name: 'layer', nameLocation: 'middle', nameGap: 40 },
      // dimension 2: a cell is [checkpoint, layer, mean residual]
      visualMap: { dimension: 2, min: 0, max: 0.5, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 160, itemWidth: 12,
        inRange: { color: RESIDUAL_COLORS }, text: ['0.5+', 'residual 0'] },
      series: [{ type: 'heatmap', data: heat, progressive: 0, emphasis: { itemStyle: { borderColor: '#1d2433', borderWidth: 1 } } }]
    }, true);

    chart('chart-shape').setOption({
      animation: false, grid: { left: 58, right: 16, top: 20, bottom: 40 },
      tooltip: { trigger: 'axis', valueFormatter: (v) => fmt(v, 4) },
      xAxis: checkpointAxis('dataMax'),
      yAxis: sideAxis('mean cosine', { max: 1, min: (v) => Math.min(0.88, Math.floor(v.min * 50) / 50) }),
      series: [{ name: 'shape invariance', type: 'line', symbolSize: 7, itemStyle: { color: '#1d2433' },
        data: cps.map((c) => [c.checkpoint, c.shape_invariance_mean]),
        markLine: { silent: true, symbol: 'none', lineStyle: { type: 'dashed' },
          // a backing so the label stays readable where the line runs through it
          label: { position: 'insideEndTop', color: '#6b7385', backgroundColor: 'rgba(255,255,255,0.85)', padding: [1, 3] },
          data: [{ yAxis: limits.shape_stability.very_stable_above, label: { formatter: 'very stable > ' + limits.shape_stability.very_stable_above } },
            { yAxis: limits.shape_stability.approximately_stable_above, label: { formatter: 'approx. stable > ' + limits.shape_stability.approximately_stable_above } }] } }]
    }, true);

    document.getElementById('run-alerts').replaceChildren(alertList(run.alerts.slice().reverse(), 'run-alerts-list'));
    renderCheckpointTable(run);
    renderWhere(run);
  }

  function renderCheckpointTable(run) {
    const table = el('table', { id: 'checkpoints' }, el('thead', {}, el('tr', {},
      el('th', { class: 'num' }, 'checkpoint'), el('th', {}, 'status'), ...ANCHORS.map((a) => el('th', {}, a.toLowerCase())),
      el('th', { class: 'num' }, 'shape inv.'), el('th', { class: 'num' }, 'corr(opnorm, entropy)'), el('th', {}, 'completed'))));
    const body = el('tbody');
    run.checkpoints.slice().reverse().forEach((c) => {
      const kept = page.kept.reports.has(c.checkpoint);
      const row = el('tr', { class: 'pickable' + (c.checkpoint === page.selection.checkpoint ? ' selected' : ''), 'data-checkpoint': String(c.checkpoint),
        title: kept ? 'show this checkpoint\'s heads' : 'summary only: the full report is no longer kept' },
        el('td', { class: 'num' }, String(c.checkpoint), kept ? null : el('span', { class: 'muted', title: 'summary only' }, ' ·')),
        el('td', {}, c.status === 'COMPLETE' ? 'complete' : 'incomplete, missing ' + c.missing_layers.length),
        ...ANCHORS.map((a) => { const f = c.fits.find((y) => y.anchor === a); return el('td', {}, f ? chip(f.verdict, f.mean_residual, a === run.primary_anchor) : '–'); }),
        el('td', { class: 'num' }, fmt(c.shape_invariance_mean, 4)),
        el('td', { class: 'num' }, fmt(c.corr_opnorm_entropy, 3)),
        el('td', { class: 'muted' }, ago(c.completed_at)));
      row.addEventListener('click', () => select(c.checkpoint, null));
      body.appendChild(row);
    });
    table.appendChild(body);
    document.getElementById('run-checkpoints').replaceChildren(table);
  }

  /** The kept full reports of the run (export as JSON lines), fetched again only when the run's checkpoints change. */
  async function loadKept(run) {
    const last = run.checkpoints.length ? run.checkpoints[run.checkpoints.length - 1] : null;
    const signature = run.checkpoints.length + ':' + (last ? last.checkpoint + ':' + last.completed_at : '');
    if (page.kept.signature === signature) return;
    const reports = await getLines(runPath(run.run_id) + '/export?format=jsonl');
    page.kept = { signature, reports: new Map(reports.map((r) => [r.checkpoint, r])) };
  }

  function keptComplete() {
    return [...page.kept.reports.values()].filter((r) => r.status === 'COMPLETE').sort((a, b) => a.checkpoint - b.checkpoint);
  }

  function renderWhere(run) {
    const complete = keptComplete();
    const sel = page.selection;
    if (sel.checkpoint === null && complete.length) sel.checkpoint = complete[complete.length - 1].checkpoint;
    if (!sel.anchor) sel.anchor = run.primary_anchor;
    document.querySelectorAll('#checkpoints tr.pickable').forEach((tr) => tr.classList.toggle('selected', tr.dataset.checkpoint === String(sel.checkpoint)));
    const tabs = document.getElementById('anchor-tabs');
    tabs.replaceChildren(...ANCHORS.map((a) => {
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
      ['head-map'].forEach((id) => chart(id).setOption({ title: { text: why, left: 'center', top: 'middle', textStyle: { fontSize: 13, color: '#6b7385', fontWeight: 400 } }, series: [] }, true));
      document.getElementById('top-heads').replaceChildren();
      document.getElementById('anchors').replaceChildren(el('div', { class: 'empty' }, why));
    } else {
      where.textContent = 'checkpoint ' + report.checkpoint + ', ' + sel.anchor.toLowerCase() + ' anchor (layer '
        + report.fits.find((f) => f.anchor === sel.anchor).anchor_layer + '); pick a checkpoint in the table or the layer map';
      renderHeadMap(report, sel.anchor);
      renderTopHeads(report, sel.anchor);
      renderAnchors(report, sel.anchor);
    }
    renderSchedule(complete, sel);
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
      visualMap: { dimension: 2, min: 0, max: 0.5, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 160, itemWidth: 12,
        inRange: { color: RESIDUAL_COLORS }, text: ['0.5+', 'residual 0'] },
      series: [{ type: 'heatmap', data: data.map((d) => [d[0], d[1], d[2] === null ? '-' : d[2], d[3]]), progressive: 0 }]
    }, true);
  }

  function renderTopHeads(report, anchor) {
    const fit = report.fits.find((f) => f.anchor === anchor);
    const cells = [];
    fit.layers.forEach((row) => row.head_residuals.forEach((v, h) => { if (v !== null) cells.push({ layer: row.layer, head: h, r: v, t: row.head_scales[h] }); }));
    cells.sort((a, b) => b.r - a.r);
    const worst = cells.slice(0, 10);
    document.getElementById('top-sub').textContent = 'largest residual, ' + anchor.toLowerCase() + ' anchor';
    const max = worst.length ? Math.max(worst[0].r, 1e-9) : 1;
    document.getElementById('top-heads').replaceChildren(...worst.map((c) => el('li', {},
      el('span', { class: 'where' }, 'layer ' + c.layer + ' · head ' + c.head),
      el('span', { class: 'bar' }, el('span', { class: 'fill', style: 'width:' + Math.round(100 * c.r / max) + '%;background:' + residualColor(c.r) })),
      el('span', { class: 'num' }, fmt(c.r, 3)), el('span', { class: 'muted num' }, 'T ' + fmt(c.t, 3)))));
  }

  function residualColor(r) {
    return r < limits.verdict.supported_below ? '#1a9850' : r < limits.verdict.partially_supported_below ? '#c77c02' : '#d73027';
  }

  function renderAnchors(report, chosen) {
    const rows = [
      ['anchor layer', (f) => String(f.anchor_layer)],
      ['verdict', (f) => chip(f.verdict, null, f.anchor === report.primary_anchor)],
      ['mean residual', (f) => fmt(f.mean_residual, 4)],
      ['max residual', (f) => fmt(f.max_residual, 4)],
      ['heads with residual < 0.10', (f) => fmt(100 * f.frac_below_0_10, 1) + ' %'],
      ['heads with residual < 0.20', (f) => fmt(100 * f.frac_below_0_20, 1) + ' %'],
      ['corr(T, entropy)', (f) => fmt(f.corr_scale_entropy, 3)],
      ['worst layer', (f) => { const w = f.layers.reduce((a, b) => (b.mean_residual > a.mean_residual ? b : a)); return 'layer ' + w.layer + ' (' + fmt(w.mean_residual, 3) + ')'; }]];
    const head = el('tr', {}, el('th', {}, 'checkpoint ' + report.checkpoint), ...ANCHORS.map((a) => {
      const th = el('th', { class: 'num pickable' + (a === chosen ? ' on' : '') }, a.toLowerCase());
      th.addEventListener('click', () => select(null, a));
      return th;
    }));
    const body = el('tbody', {}, ...rows.map(([name, cell]) => el('tr', {}, el('td', { class: 'muted' }, name),
      ...ANCHORS.map((a) => { const f = report.fits.find((y) => y.anchor === a); return el('td', { class: 'num' + (a === chosen ? ' on' : '') }, f ? cell(f) : '–'); }))));
    document.getElementById('anchors').replaceChildren(el('table', { id: 'anchors-table' }, el('thead', {}, head), body));
  }

  /** Light to dark with training time: the derived temperature schedule of each kept checkpoint. */
  function renderSchedule(complete, sel) {
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

  // ---- compare runs ----------------------------------------------------------------------------
  function buildCompare(ids) {
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

  async function refreshCompare(ids) {
    const runs = await Promise.all(ids.map((id) => getJson(runPath(id)).catch((e) => ({ run_id: id, error: e.message }))));
    const found = runs.filter((r) => !r.error);
    const latestReports = await Promise.all(found.map((r) => {
      const complete = r.checkpoints.filter((c) => c.status === 'COMPLETE');
      return complete.length ? getJson(runPath(r.run_id) + '/checkpoints/' + complete[complete.length - 1].checkpoint).catch(() => null) : null;
    }));
    return { runs, found, latestReports };
  }

  function renderCompare(ids, data, dropped) {
    const note = document.getElementById('compare-note');
    const problems = data.runs.filter((r) => r.error).map((r) => r.run_id + ': ' + r.error);
    if (dropped) problems.unshift('only the first ' + MAX_COMPARED + ' runs are compared');
    note.className = problems.length ? 'forecast warn' : '';
    note.replaceChildren(...problems.map((p) => el('div', {}, p)));
    const values = data.found.flatMap((r) => r.checkpoints.flatMap((c) => c.fits.map((f) => f.mean_residual)));
    const top = Math.ceil(Math.max(0.4, ...values) * 10) / 10;
    const series = data.found.map((r, i) => ({
      name: r.run_id, type: 'line', symbolSize: 6, connectNulls: false, itemStyle: { color: RUN_COLORS[ids.indexOf(r.run_id) % RUN_COLORS.length] },
      data: r.checkpoints.map((c) => { const f = c.fits.find((y) => y.anchor === r.primary_anchor); return [c.checkpoint, f ? f.mean_residual : null]; }),
      markArea: i === 0 ? bands(top) : undefined }));
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
        return { name: r.run_id + (report ? ' @' + report.checkpoint : ''), type: 'line', symbolSize: 4,
          itemStyle: { color: RUN_COLORS[ids.indexOf(r.run_id) % RUN_COLORS.length] },
          data: fit ? fit.layers.map((l) => [l.layer, l.mean_scale]) : [] };
      }) }, true);
    const table = el('table', { id: 'compare-table' }, el('thead', {}, el('tr', {}, el('th', {}, 'run'), el('th', {}, 'context'),
      el('th', { class: 'num' }, 'latest'), el('th', {}, 'verdict'), el('th', { class: 'num' }, 'flips'))),
      el('tbody', {}, ...data.found.map((r) => {
        const complete = r.checkpoints.filter((c) => c.status === 'COMPLETE');
        const latest = complete.length ? complete[complete.length - 1] : null;
        const fit = latest ? latest.fits.find((f) => f.anchor === r.primary_anchor) : null;
        return el('tr', {},
          el('td', {}, el('span', { class: 'swatch', style: 'background:' + RUN_COLORS[ids.indexOf(r.run_id) % RUN_COLORS.length] }),
            el('a', { href: '#/run/' + encodeURIComponent(r.run_id), class: 'runid' }, r.run_id)),
          el('td', {}, tagChips(r.model, r.tags)),
          el('td', { class: 'num' }, latest ? String(latest.checkpoint) : '–'),
          el('td', {}, chip(fit ? fit.verdict : null, fit ? fit.mean_residual : null, true)),
          el('td', { class: 'num' }, String(r.alerts.filter((a) => a.type === 'VERDICT_FLIP').length)));
      })));
    document.getElementById('compare-runs').replaceChildren(table);
  }

  // ---- routing and polling ---------------------------------------------------------------------
  async function refresh() {
    const shown = page;
    try {
      let missing = [];
      if (!limits) limits = await getJson('/api/thresholds');
      if (page.kind === 'run') {
        const run = await getJson(runPath(page.run_id));
        await loadKept(run);
        if (shown !== page) return;   // an answer for a page the user has left is dropped
        renderRun(run);
      } else if (page.kind === 'compare') {
        const data = await refreshCompare(page.ids);
        if (shown !== page) return;
        renderCompare(page.ids, data, page.dropped);
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
        view.replaceChildren(el('div', { class: 'card empty' }, 'No run ', el('b', {}, page.run_id), ' (its history may have been dropped). ', el('a', { href: '#/' }, 'All runs')));
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
    const run = location.hash.match(/^#\/run\/([^?]+)(?:\?(.*))?$/);
    const compare = location.hash.match(/^#\/compare\?runs=(.*)$/);
    disposeCharts();
    if (run) {
      // #/run/ID?checkpoint=N&anchor=A opens with that checkpoint and anchor chosen
      const params = new URLSearchParams(run[2] || '');
      const checkpoint = params.get('checkpoint');
      const anchor = params.get('anchor');
      page = { kind: 'run', run_id: decodeURIComponent(run[1]), initial: {
        checkpoint: checkpoint !== null && /^\d+$/.test(checkpoint) ? Number(checkpoint) : null,
        anchor: ANCHORS.includes(anchor) ? anchor : null } };
      buildRunPage(page.run_id);
    } else if (compare) {
      const ids = [...new Set(compare[1].split(',').map((s) => decodeURIComponent(s)).filter(Boolean))];
      page = { kind: 'compare', ids: ids.slice(0, MAX_COMPARED), dropped: ids.length > MAX_COMPARED };
      buildCompare(page.ids);
    } else {
      page = { kind: 'runs' };
      buildOverview();
    }
    if (timer) clearTimeout(timer);
    inFlight.abort();
    inFlight = new AbortController();
    poll(page);
  }
  window.addEventListener('hashchange', route);
  route();
})();
