// Alert cards, shared by the overview and a run's page.
import { el, ago } from './dom.js';

/** The alert's severity; alerts of earlier versions carry none and get the one headgeo derives. */
function severity(a, verdictOrder) {
  if (a.severity) return a.severity.toLowerCase();
  if (a.type === 'VERDICT_FLIP' && a.earlier_verdict && a.later_verdict) {
    const better = verdictOrder.indexOf(a.later_verdict) < verdictOrder.indexOf(a.earlier_verdict);
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

/** The first 100 alerts as cards; {@code limits.verdicts} orders the verdicts best first. */
export function alertList(alerts, limits, id) {
  if (!alerts.length) return el('div', { class: 'empty' }, 'No alerts.');
  const ul = el('ul', { class: 'alerts', id: id || 'alerts' });
  alerts.slice(0, 100).forEach((a) => {
    const sev = severity(a, limits.verdicts);
    ul.appendChild(el('li', { class: a.type + ' sev-' + sev, 'data-severity': sev },
      el('span', { class: 'when' }, ago(a.raised_at)),
      el('div', { class: 'what' }, alertTitle(a, sev)),
      el('div', { class: 'msg' }, a.message)));
  });
  return ul;
}
