// headgeo dashboard: routes between the overview, a run and a comparison, and polls the JSON API every
// 2 s, redrawing in place. Thresholds, anchors and verdicts come from /api/thresholds, never from here.
import { el } from './dom.js';
import { disposeCharts } from './charts.js';
import * as api from './api.js';
import { buildOverview, renderOverview } from './overview.js';
import { buildRunPage, loadRun, renderRun } from './run.js';
import { buildCompare, loadCompare, renderCompare, MAX_COMPARED } from './compare.js';

const POLL_MS = 2000;
const view = document.getElementById('view');
const conn = document.getElementById('conn');
let timer = null;
let page = null;
let limits = null;

function setConn(cls, text) {
  conn.className = 'conn ' + cls;
  conn.textContent = text;
}

/** The footer's verdict bands, as the API states them. */
function renderLegend() {
  const v = limits.verdict;
  document.getElementById('legend').replaceChildren('Verdict of the scalar-rescale fit: mean residual < ' + v.supported_below + ' ',
    el('b', { class: 'v-SUPPORTED' }, 'supported'), ', < ' + v.partially_supported_below + ' ',
    el('b', { class: 'v-PARTIALLY_SUPPORTED' }, 'partially supported'), ', else ', el('b', { class: 'v-REJECTED' }, 'rejected'), '. Updates every 2 s. ',
    el('a', { href: '/docs/reference', id: 'reference-link', target: '_blank', rel: 'noopener' }, 'What each number means'));
}

async function refresh() {
  const shown = page;
  try {
    let missing = [];
    if (!limits) {
      limits = await api.thresholds();
      renderLegend();
    }
    if (!shown.built) {
      shown.build();
      shown.built = true;
    }
    if (shown.kind === 'run') {
      const run = await loadRun();
      if (shown !== page || !run) return;   // an answer for a page the user has left is dropped
      renderRun(run);
    } else if (shown.kind === 'compare') {
      const data = await loadCompare(shown.ids);
      if (shown !== page) return;
      renderCompare(shown.ids, data, shown.dropped, limits);
    } else {
      const [runs, alerts] = await Promise.all([api.runs(), api.alerts()]);
      if (shown !== page) return;
      renderOverview(runs.runs, alerts.alerts, limits);
      missing = [...new Set([...(runs.missing_instances || []), ...(alerts.missing_instances || [])])];
    }
    if (missing.length) {
      // the list is what the reachable instances hold; say which did not answer
      setConn('warn', 'partial · ' + missing.length + ' instance' + (missing.length > 1 ? 's' : '') + ' not answering: ' + missing.join(', '));
    } else {
      setConn('ok', 'live · ' + new Date().toLocaleTimeString());
    }
  } catch (e) {
    if (shown !== page || e.name === 'AbortError') return;
    if (e.status === 404 && shown.kind === 'run') {
      view.replaceChildren(el('div', { class: 'card empty' }, 'No run ', el('b', {}, shown.run_id), ' (its history may have been dropped). ', el('a', { href: '#/' }, 'All runs')));
      disposeCharts();
    }
    setConn('err', 'error: ' + e.message);
  }
}

// the next poll starts POLL_MS after the previous one ended, so slow answers never pile up
async function poll(forPage) {
  await refresh();
  if (forPage === page) timer = setTimeout(() => poll(forPage), POLL_MS);
}

/** The page the address names; it is built on its first refresh, once the thresholds are known. */
function pageFor(hash) {
  const run = hash.match(/^#\/run\/([^?]+)(?:\?(.*))?$/);
  const compare = hash.match(/^#\/compare\?runs=(.*)$/);
  if (run) {
    // #/run/ID?checkpoint=N&anchor=A opens with that checkpoint and anchor chosen
    const params = new URLSearchParams(run[2] || '');
    const checkpoint = params.get('checkpoint');
    const anchor = params.get('anchor');
    const runId = decodeURIComponent(run[1]);
    const initial = { checkpoint: checkpoint !== null && /^\d+$/.test(checkpoint) ? Number(checkpoint) : null, anchor };
    return { kind: 'run', run_id: runId, build: () => {
      initial.anchor = limits.anchors.includes(initial.anchor) ? initial.anchor : null;
      buildRunPage(view, runId, initial, limits);
    } };
  }
  if (compare) {
    const ids = [...new Set(compare[1].split(',').map((s) => decodeURIComponent(s)).filter(Boolean))];
    const shown = ids.slice(0, MAX_COMPARED);
    return { kind: 'compare', ids: shown, dropped: ids.length > MAX_COMPARED, build: () => buildCompare(view, shown) };
  }
  return { kind: 'runs', build: () => buildOverview(view) };
}

function route() {
  disposeCharts();
  page = pageFor(location.hash);
  if (limits) {
    page.build();
    page.built = true;
  }
  if (timer) clearTimeout(timer);
  api.abortAll();
  poll(page);
}

window.addEventListener('hashchange', route);
route();
