// The one module that knows the HTTP API's paths (declared in /api/openapi.json). Requests of the page
// shown are aborted together when the user goes to another page.

let inFlight = new AbortController();

/** Aborts every request of the page being left. */
export function abortAll() {
  inFlight.abort();
  inFlight = new AbortController();
}

async function getJson(path) {
  const r = await fetch(path, { headers: { Accept: 'application/json' }, signal: inFlight.signal });
  if (!r.ok) {
    let msg = r.status + '';
    try { msg = (await r.json()).error || msg; } catch (e) { /* not JSON */ }
    const err = new Error(msg); err.status = r.status; throw err;
  }
  return r.json();
}

const runPath = (id) => '/api/runs/' + encodeURIComponent(id);

/** Thresholds: verdict and stability bands, forecast settings, the anchors and the verdicts best first. */
export const thresholds = () => getJson('/api/thresholds');
/** RunsPage: every run's summary and the instances that did not answer. */
export const runs = () => getJson('/api/runs');
/** AlertsPage: the newest alerts. */
export const alerts = () => getJson('/api/alerts');
/** RunDetail. */
export const run = (id) => getJson(runPath(id));
/** CheckpointReport: the kept full report of one checkpoint. */
export const report = (id, checkpoint) => getJson(runPath(id) + '/checkpoints/' + checkpoint);

/** The run's kept full reports (the JSON-lines export); none when the run has none kept. */
export async function keptReports(id) {
  const path = exportUrl(id, 'jsonl');
  const r = await fetch(path, { signal: inFlight.signal });
  if (r.status === 404) return [];
  if (!r.ok) throw new Error(path + ': ' + r.status);
  return (await r.text()).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

export const exportUrl = (id, format) => runPath(id) + '/export?format=' + format;
