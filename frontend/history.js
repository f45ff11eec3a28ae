/* rigstream dashboard: the history view. A range of the recorder's database (/api/history, downsampled by the
   bridge: mean with min / max bands per bucket) in the six tracks, and the CSV export link. The range forms
   (history and analytics) share rangeOf and rangeChanged. */
import { $ } from './dom.js';
import { answer, apiFetch, getJson } from './bridge.js';
import * as store from './state.js';
import * as units from './units.js';
import { buildCharts, resizeCharts, trackChannels } from './charts.js';
import { newestOf } from './live.js';

const charts = [];

// The range the form `prefix` ('history', 'analytics') asks for, in µs: a span back from now (or from the well's
// newest sample when that is later: a sped-up simulator runs ahead of the clock), everything the
// database holds for the well, or the from / to fields. Resolves to {from, to}, or rejects with a message.
export function rangeOf(prefix) {
  const v = $(prefix + '-range').value;
  const well = store.get('well');
  if (v === 'custom') {
    const f = Date.parse($(prefix + '-from').value), t = Date.parse($(prefix + '-to').value);
    if (!isFinite(f) || !isFinite(t) || t <= f) return Promise.reject(new Error('from / to: give both, from before to'));
    return Promise.resolve({ from: f * 1000, to: t * 1000 });
  }
  if (v === 'all') {
    return getJson('api/wells').then((doc) => {
      const w = (doc.wells || []).filter((x) => x.well === well)[0];
      if (!w || !w.history || !w.history.samples) throw new Error('nothing recorded for ' + well);
      return { from: w.history.first_ts, to: w.history.last_ts + 1 };
    });
  }
  const to = Math.max(Date.now() * 1000, newestOf(well) + 1);
  return Promise.resolve({ from: to - Number(v) * 1e6, to: to });
}

function toLocalInput(us) {
  let d = new Date(us / 1000);
  d = new Date(d.getTime() - d.getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 19);
}

// The range selector of form `prefix` changed: from / to fields shown (filled with the last hour) or hidden.
export function rangeChanged(prefix) {
  const custom = $(prefix + '-range').value === 'custom';
  $(prefix + '-form').classList.toggle('custom', custom);
  if (custom && !$(prefix + '-from').value) {
    const now = Date.now() * 1000;
    $(prefix + '-from').value = toLocalInput(now - 3600e6);
    $(prefix + '-to').value = toLocalInput(now);
  }
}

function params(range, chans) {
  return 'well=' + encodeURIComponent(store.get('well') || '') + '&from=' + Math.floor(range.from) +
         '&to=' + Math.floor(range.to) + '&channels=' + chans.join(',');
}

// /api/history of the selected well: resolves to the document, or rejects with the bridge's error.
export function fetchHistory(range, chans, points) {
  return apiFetch('api/history?' + params(range, chans) + '&points=' + points).then(answer).then((res) => {
    if (!res.ok) throw new Error(res.doc.error || 'failed');
    return res.doc;
  });
}

export function load() {
  if (!store.get('well')) return;
  const status = $('history-status');
  const points = Math.max(100, Math.min(2000, ($('history-tracks').clientWidth || 1000)));
  const chans = trackChannels();
  status.textContent = 'loading...';
  rangeOf('history').then((range) => {
    // The export: the usual drilling channels (with depth), the rig state and a units row, in the units shown.
    $('history-export').href = 'api/export.csv?well=' + encodeURIComponent(store.get('well') || '') + '&from=' +
                               Math.floor(range.from) + '&to=' + Math.floor(range.to) + '&units=' + units.current();
    return apiFetch('api/history?' + params(range, chans) + '&points=' + points);
  }).then(answer).then((res) => {
    if (!res.ok) { status.textContent = res.doc.error || 'failed'; return; }
    const doc = res.doc;
    status.textContent = doc.points + ' points from ' + doc.source + ' (bucket ' + (doc.width_us / 1e6) + ' s)';
    $('history-tracks').dataset.points = String(doc.points);
    if (!charts.length) buildCharts('history-tracks', charts, true);
    const xs = doc.t.map((t) => t / 1e6);
    charts.forEach((c) => {
      const data = [xs];
      c.track.series.forEach((s) => {
        const ch = doc.channels[s[0]] || { mean: [], min: [], max: [] }, u = units.unitOf(s[0]);
        data.push(units.values(u, ch.mean), units.values(u, ch.min), units.values(u, ch.max));
      });
      c.chart.setData(data);
    });
  }).catch((e) => { status.textContent = 'failed: ' + e; });
}

// The charts are built again (in the new units) when next loaded.
export function dropCharts() {
  charts.length = 0;
  $('history-tracks').textContent = '';
}

export function resizeHistoryCharts() { resizeCharts(charts); }
