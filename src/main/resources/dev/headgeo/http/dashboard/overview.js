// The runs overview: tiles, the runs table (filter, order, ticks for comparison) and the newest alerts.
import { el, fmt, ago, chip, tagChips } from './dom.js';
import { alertList } from './alerts.js';
import { MAX_COMPARED } from './compare.js';

// the controls survive the 2 s redraws and page changes: what is typed, the order, the runs ticked
const state = { filter: '', byName: false, ticked: new Set() };
// the latest answer, redrawn at once when the filter or the order changes
let shown = null;

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

export function buildOverview(view) {
  const filter = el('input', { id: 'filter', type: 'search', placeholder: 'filter: run id, model or tag (owner=ana)', value: state.filter, 'aria-label': 'filter runs' });
  filter.addEventListener('input', () => { state.filter = filter.value; rerender(); });
  const sort = el('button', { id: 'sort-toggle', type: 'button', class: 'btn' });
  const sortLabel = () => { sort.textContent = state.byName ? 'sorted by name · trouble first' : 'trouble first · sort by name'; };
  sortLabel();
  sort.addEventListener('click', () => { state.byName = !state.byName; sortLabel(); rerender(); });
  const compare = el('a', { id: 'compare-link', class: 'btn primary disabled', href: '#/' }, 'compare');
  view.replaceChildren(
    el('div', { class: 'tiles', id: 'tiles' }),
    el('div', { class: 'grid' },
      el('div', { class: 'card' },
        el('h2', {}, 'Runs', el('span', { class: 'sub' }, 'verdict of the latest complete checkpoint, mean residual; outlined: primary anchor')),
        el('div', { class: 'controls' }, filter, sort, compare),
        el('div', { id: 'runs-box' })),
      el('div', { class: 'card' }, el('h2', {}, 'Alerts', el('span', { class: 'sub' }, 'newest first')), el('div', { id: 'alerts-box' }))));
  shown = null;
}

function rerender() {
  if (shown) renderOverview(shown.runs, shown.alerts, shown.limits);
}

function updateCompareLink() {
  const link = document.getElementById('compare-link');
  if (!link) return;
  const ids = [...state.ticked];
  link.textContent = ids.length ? 'compare ' + ids.length + (ids.length > MAX_COMPARED ? ' (first ' + MAX_COMPARED + ')' : '') : 'tick runs to compare';
  link.className = 'btn primary' + (ids.length >= 1 ? '' : ' disabled');
  link.setAttribute('href', ids.length ? '#/compare?runs=' + ids.slice(0, MAX_COMPARED).map(encodeURIComponent).join(',') : '#/');
}

function tiles(runs) {
  const counts = { SUPPORTED: 0, PARTIALLY_SUPPORTED: 0, REJECTED: 0 };
  let flips = 0;
  let gathering = 0;
  runs.forEach((r) => { if (r.verdict) counts[r.verdict]++; flips += r.flips; gathering += (r.open_checkpoints || []).length; });
  const tile = (cls, n, label) => el('div', { class: 'tile' + (cls ? ' ' + cls : '') }, el('div', { class: 'n' }, n), el('div', { class: 'l' }, label));
  document.getElementById('tiles').replaceChildren(tile('', runs.length, 'runs'), tile('ok', counts.SUPPORTED, 'supported'),
    tile('mid', counts.PARTIALLY_SUPPORTED, 'partially supported'), tile('bad', counts.REJECTED, 'rejected'),
    tile('', flips, 'verdict flips'), tile('', gathering, 'checkpoints arriving'));
}

function row(r, anchors) {
  const link = el('a', { href: '#/run/' + encodeURIComponent(r.run_id), class: 'runid', title: r.run_id }, r.run_id);
  const pick = el('input', { type: 'checkbox', 'aria-label': 'compare ' + r.run_id });
  pick.checked = state.ticked.has(r.run_id);
  pick.addEventListener('change', () => { if (pick.checked) state.ticked.add(r.run_id); else state.ticked.delete(r.run_id); updateCompareLink(); });
  const open = r.open_checkpoints || [];
  const arriving = open.length ? el('span', { class: 'chip c-GATHERING', title: 'checkpoints whose layers are still arriving' },
    'arriving ' + open.map((o) => o.checkpoint + ': ' + o.received_layers + '/' + o.num_layers).join(', ')) : null;
  const status = r.last_status === 'INCOMPLETE' ? el('span', { class: 'chip c-INCOMPLETE' }, 'incomplete') : null;
  const f = r.forecast;
  return el('tr', { 'data-run': r.run_id },
    el('td', { class: 'pick' }, pick),
    el('td', { 'data-label': 'run' }, link, tagChips(r.model, r.tags)),
    el('td', { class: 'num', 'data-label': 'checkpoint' }, r.last_checkpoint === null ? '–' : String(r.last_checkpoint), status, arriving),
    ...anchors.map((a) => el('td', { class: 'verdict', 'data-anchor': a, 'data-label': a.toLowerCase() },
      chip(r.verdicts[a], r.mean_residuals[a], a === r.primary_anchor))),
    el('td', { 'data-label': 'forecast' }, f ? el('span', { class: 'fc', title: 'trend ' + fmt(f.trend_per_checkpoint, 4) + ' per checkpoint' },
      (f.trend_per_checkpoint > 0 ? '↗ ' : '↘ ') + f.boundary + ' by ' + f.crossing_checkpoint) : el('span', { class: 'muted' }, '–')),
    el('td', { class: 'num', 'data-label': 'flips' }, String(r.flips)),
    el('td', { class: 'muted', 'data-label': 'last report' }, ago(r.last_report_at)));
}

export function renderOverview(runs, alerts, limits) {
  shown = { runs, alerts, limits };
  tiles(runs);
  const anchors = limits.anchors;
  const listed = runs.filter((r) => matches(r, state.filter));
  listed.sort((a, b) => (state.byName ? 0 : trouble(a) - trouble(b)) || (a.run_id < b.run_id ? -1 : a.run_id > b.run_id ? 1 : 0));
  const table = el('table', { id: 'runs', class: 'cards-on-phone' },
    el('thead', {}, el('tr', {},
      el('th', { class: 'pick' }, ''), el('th', {}, 'run'), el('th', { class: 'num' }, 'checkpoint'),
      ...anchors.map((a) => el('th', {}, a.toLowerCase() + ' anchor')),
      el('th', {}, 'forecast'), el('th', { class: 'num' }, 'flips'), el('th', {}, 'last report'))),
    el('tbody', {}, ...listed.map((r) => row(r, anchors))));
  const box = document.getElementById('runs-box');
  if (!runs.length) {
    box.replaceChildren(el('div', { class: 'empty' }, 'No runs yet: publish layer records to headgeo.layers.'));
  } else if (!listed.length) {
    box.replaceChildren(el('div', { class: 'empty' }, 'No run matches “' + state.filter + '”.'));
  } else {
    box.replaceChildren(el('div', { class: 'tablewrap' }, table));
  }
  updateCompareLink();
  document.getElementById('alerts-box').replaceChildren(alertList(alerts, limits));
}
