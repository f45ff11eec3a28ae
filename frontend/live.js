/* rigstream dashboard: the live view. Each well's recent samples (kept in the stored units, in time order),
   the readouts with their trend, the rig-state badge, and the live strip charts with pause, zoom and pan. */
import { $, el } from './dom.js';
import * as store from './state.js';
import * as units from './units.js';
import { TRACKS, buildCharts, resizeCharts } from './charts.js';

const READOUTS = ['hook_load', 'wob', 'rpm', 'torque', 'spp', 'flow_in', 'flow_out', 'pit_volume', 'pit_gain',
                  'gas', 'rop', 'bit_depth', 'hole_depth'];
const MAX_POINTS = 7200;            // per well kept in memory (1 h at 2 Hz)
const TREND_S = 60;

const wells = {};                   // well -> { t: [], ch: {name: []}, last: sample, lastAt, rigState }
const charts = [];
let lastTsUs = 0;                   // the newest sample's time: a reconnect asks for what came after it
let dirty = false;

// The newest sample time seen (µs since the epoch), 0 before any.
export function newestTs() { return lastTsUs; }

// A well's buffers, created (and announced in the store) the first time the well is seen.
export function ensureWell(name) {
  let w = wells[name];
  if (!w) {
    w = wells[name] = { t: [], ch: {}, last: null, lastAt: 0, rigState: null };
    store.set({ wells: store.get('wells').concat([name]) });
    if (!store.get('well')) store.set({ well: name });
  }
  return w;
}

// ---- readouts ----------------------------------------------------------
export function buildReadouts() {
  const box = $('readouts');
  box.textContent = '';
  READOUTS.forEach((name) => {
    const r = el('div', 'readout');
    r.dataset.channel = name;
    r.appendChild(el('div', 'label', units.label(name)));
    const line = el('div');
    line.appendChild(el('span', 'value', '-'));
    line.appendChild(el('span', 'unit', units.shownUnit(name)));
    line.appendChild(el('span', 'trend', ''));
    r.appendChild(line);
    box.appendChild(r);
  });
}

// Direction over the last minute of sample time: up, down or steady (within 2 % of the value); empty while
// there is no earlier value to compare with.
function trend(w, name) {
  const arr = w && w.ch[name];
  const n = w ? w.t.length : 0;
  if (!arr || n < 2) return '';
  let i = n - 1;
  while (i > 0 && w.t[i - 1] >= w.t[n - 1] - TREND_S) i--;
  const a = arr[i], b = arr[n - 1];
  if (i === n - 1 || a === null || b === null) return '';
  const d = b - a, tol = Math.max(Math.abs(b) * 0.02, 1e-9);
  return d > tol ? '\u25b2' : d < -tol ? '\u25bc' : '\u25b6';
}

export function showReadouts() {
  const w = wells[store.get('well')];
  const s = w && w.last;
  READOUTS.forEach((name) => {
    const r = document.querySelector('.readout[data-channel="' + name + '"]');
    if (!r) return;
    const v = s && s.ch ? s.ch[name] : undefined;
    r.querySelector('.value').textContent = units.fmt(units.shown(name, v));
    const arrow = trend(w, name);
    const t = r.querySelector('.trend');
    t.textContent = arrow;
    t.title = arrow ? 'over the last minute' : '';
    r.classList.toggle('stale', !s || Date.now() - (w.lastAt || 0) > store.STALE_MS);
  });
  const badge = $('rigstate');
  const rs = w && w.rigState;
  badge.textContent = 'rig state: ' + (rs ? rs.replace(/_/g, ' ') : '-');
  badge.dataset.state = rs || '';
}

// ---- charts ------------------------------------------------------------
export function buildLiveCharts() {
  buildCharts('tracks', charts, false, zoomLive);
}

export function resizeLiveCharts() { resizeCharts(charts); }

// The time range (s) the first live chart shows, or null.
export function liveRange() {
  const c = charts[0] && charts[0].chart;
  return c ? [c.scales.x.min, c.scales.x.max] : null;
}

// Zoom and pan of the live charts: the range stays put while data arrives, until the operator goes back to
// following live (double-click, Z or Esc: zoomLive(0, 0)).
export function zoomLive(min, max) {
  store.set({ zoom: max > min ? { min: min, max: max } : null });
}

export function panLive(fraction) {
  const z = store.get('zoom');
  if (!z) return;
  const d = (z.max - z.min) * fraction;
  zoomLive(z.min + d, z.max + d);
}

export function togglePause() {
  store.set({ paused: !store.get('paused') });
}

function redrawLive() {
  dirty = false;
  if (store.get('paused')) return;
  const w = wells[store.get('well')];
  if (!w) return;
  // The right edge is the newest sample: a replay or a sped-up simulator runs on its own clock.
  let nowS = w.t.length ? w.t[w.t.length - 1] : Date.now() / 1000, from = nowS - store.get('windowS');
  const zoom = store.get('zoom');
  if (zoom) {
    from = zoom.min;
    nowS = zoom.max;
  }
  let start = 0;
  while (start < w.t.length && w.t[start] < from) start++;
  const xs = w.t.slice(start);
  charts.forEach((c) => {
    const data = [xs];
    c.track.series.forEach((s) => {
      data.push(units.values(units.unitOf(s[0]), (w.ch[s[0]] || []).slice(start)));
    });
    c.chart.setData(data, false);
    c.chart.setScale('x', { min: from, max: nowS });
  });
}

export function scheduleRedraw() {
  if (dirty) return;
  dirty = true;
  window.requestAnimationFrame(() => { redrawLive(); showReadouts(); });
}

// ---- data --------------------------------------------------------------
// One sample ({ well, ts, ch }); historic: it may fill in before values already held.
export function addSample(s, historic) {
  const w = ensureWell(s.well);
  const t = s.ts / 1e6;
  // Keep the buffer in time order: history fills in before live values.
  const n = w.t.length;
  let at = n;
  if (n && t <= w.t[n - 1]) {
    if (!historic) return;
    at = 0;
    while (at < n && w.t[at] < t) at++;
    if (at < n && w.t[at] === t) return;
  }
  w.t.splice(at, 0, t);
  TRACKS.forEach((tr) => {
    tr.series.forEach((sr) => {
      const arr = w.ch[sr[0]] || (w.ch[sr[0]] = new Array(n).fill(null));
      const v = s.ch[sr[0]];
      arr.splice(at, 0, v === undefined ? null : v);
    });
  });
  if (w.t.length > MAX_POINTS) {
    const cut = w.t.length - MAX_POINTS;
    w.t.splice(0, cut);
    Object.keys(w.ch).forEach((k) => { w.ch[k].splice(0, cut); });
  }
  if (at === n) {
    w.last = s;
    w.lastAt = Date.now();
    if (s.ts > lastTsUs) lastTsUs = s.ts;
  }
  if (s.well === store.get('well')) scheduleRedraw();
}

// A "history" message: samples recorded while this page was away.
export function addHistory(h) {
  for (let i = 0; i < h.ts.length; i++) {
    const ch = {};
    h.channels.forEach((name) => { ch[name] = h.values[name][i]; });
    addSample({ well: h.well, ts: h.ts[i], ch: ch }, true);
  }
}

export function setRigState(well, rs) {
  if (!rs) return;
  ensureWell(well).rigState = rs;
  if (well === store.get('well')) showReadouts();
}

store.subscribe(['well', 'windowS'], () => { showReadouts(); scheduleRedraw(); });
store.subscribe(['paused'], () => {
  const b = $('pause');
  b.setAttribute('aria-pressed', String(store.get('paused')));
  b.textContent = store.get('paused') ? 'Resume' : 'Pause';
  scheduleRedraw();
});
store.subscribe(['zoom'], () => {
  $('zoom-note').hidden = !store.get('zoom');
  redrawLive();
});
// Readouts go stale while nothing arrives.
setInterval(showReadouts, 1000);
