// Small DOM and text helpers. Everything that comes from records (run ids, models, tags, messages) is
// put into the page as text nodes, never as HTML.

export function el(tag, attrs, ...children) {
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

export const fmt = (x, d) => (x === null || x === undefined ? '–' : Number(x).toFixed(d === undefined ? 3 : d));

export function ago(ms) {
  if (!ms) return '–';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return s + ' s ago';
  if (s < 3600) return Math.round(s / 60) + ' min ago';
  if (s < 86400) return Math.round(s / 3600) + ' h ago';
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** "5–11" from [5,6,7,8,9,10,11]: consecutive numbers as ranges. */
export function ranges(xs) {
  const out = [];
  for (let i = 0; i < xs.length; i++) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    out.push(i === j ? String(xs[i]) : xs[i] + '–' + xs[j]);
    i = j;
  }
  return out.join(', ');
}

const LABEL = { SUPPORTED: 'supported', PARTIALLY_SUPPORTED: 'partial', REJECTED: 'rejected' };

export function chip(verdict, residual, primary) {
  const cls = 'chip c-' + (verdict || 'NONE') + (primary ? ' primary' : '');
  return el('span', { class: cls, title: primary ? 'primary anchor' : '' },
    verdict ? LABEL[verdict] : 'no verdict', residual === null || residual === undefined ? null : el('small', {}, fmt(residual, 3)));
}

export function tagChips(model, tags) {
  const box = el('span', { class: 'context' });
  if (model) box.appendChild(el('span', { class: 'tag model', title: 'model' }, model));
  Object.entries(tags || {}).forEach(([k, v]) => box.appendChild(el('span', { class: 'tag', title: 'tag' }, k + '=' + v)));
  return box;
}

export function card(title, sub, ...content) {
  return el('div', { class: 'card' }, el('h2', {}, title, sub === null ? null : el('span', { class: 'sub', id: sub.id }, sub.text)), ...content);
}
