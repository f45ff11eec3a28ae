/* rigstream dashboard: the live view. Each well's recent samples (kept in the stored units, in time order),
   the readouts with their trend, the rig-state badge, and the live strip charts with pause, zoom and pan. */
import { $, el } from './dom.js';
import * as store from './state.js';
import * as units from './units.js';
import { buildCharts, resizeCharts, trackChannels } from './charts.js';
import { drawDepthLog } from './depthlog.js';

// Depth and ROP first: on a small screen they stay in sight.
const READOUTS = ['hole_depth', 'bit_depth', 'rop', 'hook_load', 'wob', 'rpm', 'torque', 'spp', 'flow_in', 'flow_out',
                  'pit_volume', 'pit_gain', 'gas'];
const MAX_POINTS = 7200;            // per well kept in memory (1 h at 2 Hz)
const KEPT = trackChannels().concat(['bit_depth', 'hole_depth']);   // the channels kept per sample
// The live view's mud log: [channel, colour, name] against bit depth, on bottom, over the samples held.
const MUD_TRACKS = [['rop', '#7ee787', 'ROP'], ['wob', '#f0883e', 'WOB'], ['rpm', '#3fb950', 'RPM']];
const TREND_S = 60;

// well -> { t: [], ch: {name: []}, last: sample, lastTs: its µs, lastAt: when the last live one arrived (ms of
// this browser's clock, 0 before any), rigState, rig: what the engine's last kpi message said besides the state
// ({ reason, bwSource, blockWeight, quality: {channel: verdict}, at: when it arrived }) or null }
const wells = {};
const charts = [];
let dirty = false;

// A well's buffers, created (and announced in the store) the first time the well is seen.
export function ensureWell(name) {
  let w = wells[name];
  if (!w) {
    w = wells[name] = { t: [], ch: {}, last: null, lastTs: 0, lastAt: 0, rigState: null, rig: null };
    store.set({ wells: store.get('wells').concat([name]) });
    if (!store.get('well')) store.set({ well: name });
  }
  return w;
}

// Where the feed should start after a (re)connect, in µs: the earliest, over the wells heard live (or, when
// none was, the recorded wells whose newest sample is within `spanS` of the newest of all: not a well that
// stopped days ago), of `spanS` back from a well's newest sample when none is held yet (the page was just
// opened), else just after its newest (the gap of a reconnect). Per well: a replay or a sped-up simulator
// runs on its own clock. 0: nothing known, no history asked for.
export function sinceUs(spanS) {
  let known = Object.keys(wells).map((k) => wells[k]).filter((w) => w.lastTs);
  const heard = known.filter((w) => w.lastAt);
  const newest = Math.max.apply(null, known.map((w) => w.lastTs).concat([0]));
  known = known.filter((w) => w.lastTs >= newest - spanS * 1e6);
  let since = 0;
  (heard.length ? heard : known).forEach((w) => {
    const s = w.t.length ? w.lastTs + 1 : w.lastTs - spanS * 1e6;
    since = since ? Math.min(since, s) : s;
  });
  return since;
}

// What /api/wells tells of a well before the feed starts: its newest sample (live or recorded) and how long
// ago the bridge received it, so the page starts with the window and the time-out right.
export function knowWell(info) {
  const w = ensureWell(info.well);
  const ts = Math.max(info.last_ts || 0, (info.history && info.history.last_ts) || 0);
  if (ts > w.lastTs) w.lastTs = ts;
  if (info.live && typeof info.age_s === 'number') w.lastAt = Date.now() - info.age_s * 1000;
  if (info.rig_state) w.rigState = info.rig_state;
}

// The newest sample time known of a well (µs), 0 when none.
export function newestOf(name) { return wells[name] ? wells[name].lastTs : 0; }

// Seconds since the well's last live sample arrived, Infinity before any.
function silentS(w) { return w && w.lastAt ? (Date.now() - w.lastAt) / 1000 : Infinity; }

// Whether a well has been silent longer than the time-out.
export function timedOut(name) { return silentS(wells[name]) > store.get('timeoutS'); }

// ---- readouts ----------------------------------------------------------
export function buildReadouts() {
  const box = $('readouts');
  box.textContent = '';
  const note = el('div', 'rig-note');
  note.id = 'rig-note';
  note.setAttribute('aria-live', 'polite');
  box.appendChild(note);
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

// What the engine says of the well beside its rig state, while its word is fresh: why the state is unknown,
// the block weight the slips are told by and where it came from, and each reading it holds no good one of
// (the alarms that need that channel are held meanwhile, docs/PREDICTION.md).
function engineSays(w) {
  const rig = w && w.rig;
  return rig && Date.now() - rig.at <= store.get('timeoutS') * 1000 ? rig : null;
}

const BW_SOURCES = { configured: 'configured', learned: 'learned', plateau: 'provisional: the lowest steady hook load' };

function showRigNote(w, rig) {
  const note = $('rig-note');
  if (!note) return;
  note.textContent = '';
  if (!rig) return;
  if (w.rigState === 'unknown' && rig.reason) note.appendChild(el('div', 'why', 'Rig state unknown: ' + rig.reason));
  const kn = rig.blockWeight;
  if (BW_SOURCES[rig.bwSource] && typeof kn === 'number' && isFinite(kn)) {
    note.appendChild(el('div', 'bw', 'Block weight ' + units.fmt(units.value('kN', kn)) + ' ' + units.unit('kN') +
                        ' (' + BW_SOURCES[rig.bwSource] + ')'));
  } else if (rig.bwSource === 'unknown' && w.rigState !== 'unknown') {
    note.appendChild(el('div', 'bw', 'Block weight not known yet'));
  }
  // The engine's verdicts name their channel first ("wob pinned at -89 kN"): written with its label.
  Object.keys(rig.quality).sort().forEach((ch) => {
    const why = String(rig.quality[ch]);
    const d = el('div', 'bad', why.startsWith(ch + ' ') ? units.label(ch) + why.slice(ch.length)
                                                         : units.label(ch) + ': ' + why);
    d.dataset.channel = ch;
    note.appendChild(d);
  });
}

export function showReadouts() {
  const w = wells[store.get('well')];
  const s = w && w.last;
  const rig = engineSays(w);
  const quality = rig ? rig.quality : {};
  showRigNote(w, rig);
  READOUTS.forEach((name) => {
    const r = document.querySelector('.readout[data-channel="' + name + '"]');
    if (!r) return;
    r.classList.toggle('suspect', !!quality[name]);
    r.title = quality[name] ? 'the engine holds this reading suspect: ' + quality[name] : '';
    const v = s && s.ch ? s.ch[name] : undefined;
    r.querySelector('.value').textContent = units.fmt(units.shown(name, v));
    const arrow = trend(w, name);
    const t = r.querySelector('.trend');
    t.textContent = arrow;
    t.title = arrow ? 'over the last minute' : '';
    r.classList.toggle('stale', !s || Date.now() - (w.lastAt || 0) > store.STALE_MS);
  });
  // Past the time-out the well's values are old news: the readouts, the rig state and the header say so.
  const name = store.get('well');
  const out = !!w && timedOut(name);
  const silent = silentS(w);
  $('readouts').classList.toggle('timeout', out);
  const badge = $('rigstate');
  const rs = w && w.rigState;
  const said = rs ? rs.replace(/_/g, ' ') : '-';
  badge.textContent = out ? 'rig state: TIME-OUT' : 'rig state: ' + said;
  badge.title = out ? 'no data for this well; last known: ' + said : 'rig state';
  badge.dataset.state = out ? 'timeout' : rs || '';
  const ws = $('well-status');
  ws.dataset.state = !w ? 'none' : out ? 'timeout' : 'live';
  ws.textContent = !w ? '' : out ? 'TIME-OUT ' + (isFinite(silent) ? Math.floor(silent) + ' s' : '') : 'data';
  ws.title = out ? name + ': no sample for more than ' + store.get('timeoutS') + ' s' : name + ': samples arriving';
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

// What the first live chart draws: { n: values, first, last: their times (s), breaks: gaps drawn as breaks }.
export function liveData() {
  const c = charts[0] && charts[0].chart;
  if (!c) return null;
  const xs = c.data[0] || [], ys = c.data[1] || [];
  let n = 0, first = null, last = null, breaks = 0;
  for (let i = 0; i < xs.length; i++) {
    if (ys[i] === null || ys[i] === undefined) {
      if (n) breaks++;
      continue;
    }
    n++;
    if (first === null) first = xs[i];
    last = xs[i];
  }
  return { n: n, first: first, last: last, breaks: breaks };
}

// The y axes of the live charts, per track: [{ scale, label }].
export function axisLabels() {
  return charts.map((c) => c.chart.axes.filter((a) => a.scale !== 'x' && a.label)
                                  .map((a) => ({ scale: a.scale, label: a.label })));
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
  // The right edge is the newest sample, moved on by the time since it arrived: a replay or a sped-up
  // simulator runs on its own clock, and a silent well shows its outage as a growing gap.
  let nowS = w.lastTs ? w.lastTs / 1e6 : Date.now() / 1000;
  if (w.lastAt) nowS += Math.max(0, Date.now() - w.lastAt) / 1000;
  let from = nowS - store.get('windowS');
  const zoom = store.get('zoom');
  if (zoom) {
    from = zoom.min;
    nowS = zoom.max;
  }
  let start = 0;
  while (start < w.t.length && w.t[start] < from) start++;
  const gaps = gapsOf(w.t, start);
  const xs = withGaps(w.t.slice(start), gaps, start, (i) => w.t[i - 1] + 1e-3);
  charts.forEach((c) => {
    const data = [xs];
    c.track.series.forEach((s) => {
      const arr = (w.ch[s[0]] || []).slice(start);
      data.push(units.values(units.unitOf(s[0]), withGaps(arr, gaps, start, () => null)));
    });
    c.chart.setData(data, false);
    c.chart.setScale('x', { min: from, max: nowS });
  });
}

// Where the buffer from `start` on has a gap: indexes i whose sample came more than the gap time after
// the one before. The gap time is the time-out, or four times the usual spacing of the samples when that is
// longer (a sped-up simulator's samples are far apart in its time).
function gapsOf(t, start) {
  const d = [];
  for (let i = Math.max(start + 1, t.length - 60); i < t.length; i++) d.push(t[i] - t[i - 1]);
  d.sort((a, b) => a - b);
  const usual = d.length ? d[Math.floor(d.length / 2)] : 0;
  const gap = Math.max(store.get('timeoutS'), 4 * usual);
  const out = [];
  for (let i = start + 1; i < t.length; i++) if (t[i] - t[i - 1] > gap) out.push(i);
  return out;
}

// `arr` (the buffer from `start` on) with one extra point before each gap index: fill(i) gives its value
// (a time just after the sample before the gap, or null, which breaks the line).
function withGaps(arr, gaps, start, fill) {
  if (!gaps.length) return arr;
  const out = [];
  let from = 0;
  gaps.forEach((i) => {
    const k = i - start;
    for (; from < k; from++) out.push(arr[from]);
    out.push(fill(i));
  });
  for (; from < arr.length; from++) out.push(arr[from]);
  return out;
}

// The mud log beside the tracks (when the screen is wide enough to show it): the selected well's drilling
// channels against bit depth, on bottom, over the samples held (the last hour or so).
export function drawMudLog() {
  const box = $('mudlog');
  if (!box || !box.offsetParent || store.get('paused')) return;
  const w = wells[store.get('well')];
  drawDepthLog('mudlog', w ? w.t.length : 0, (name) => (w ? w.ch[name] : null), MUD_TRACKS,
               { min: 60, left: 44, empty: 'not on bottom', font: '11px "DejaVu Sans", sans-serif' });
}

export function scheduleRedraw() {
  if (dirty) return;
  dirty = true;
  window.requestAnimationFrame(() => { redrawLive(); showReadouts(); });
}

// ---- data --------------------------------------------------------------
// One sample ({ well, ts, ch }); historic: it may fill in before values already held; recorded: it comes from
// the database (a back-fill), not from the live feed.
export function addSample(s, historic, recorded) {
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
  KEPT.forEach((name) => {
    const arr = w.ch[name] || (w.ch[name] = new Array(n).fill(null));
    const v = s.ch[name];
    arr.splice(at, 0, v === undefined ? null : v);
  });
  if (w.t.length > MAX_POINTS) {
    const cut = w.t.length - MAX_POINTS;
    w.t.splice(0, cut);
    Object.keys(w.ch).forEach((k) => { w.ch[k].splice(0, cut); });
  }
  if (at === n) {
    w.last = s;
    if (s.ts > w.lastTs) w.lastTs = s.ts;
    // Recorded samples fill the charts; only the live feed says the well is alive.
    if (!recorded) w.lastAt = Date.now();
  }
  if (s.well === store.get('well')) scheduleRedraw();
}

// A "history" message: samples recorded while this page was away.
export function addHistory(h) {
  for (let i = 0; i < h.ts.length; i++) {
    const ch = {};
    h.channels.forEach((name) => { ch[name] = h.values[name][i]; });
    addSample({ well: h.well, ts: h.ts[i], ch: ch }, true, true);
  }
}

export function setRigState(well, rs) {
  if (!rs) return;
  ensureWell(well).rigState = rs;
  if (well === store.get('well')) showReadouts();
}

// A well's kpi message: its rig state and what the engine says beside it.
export function setRigInfo(well, m) {
  const w = ensureWell(well);
  w.rig = { reason: m.rig_state_reason || null, bwSource: m.block_weight_source || null,
            blockWeight: m.values ? m.values.block_weight : null,
            quality: m.quality && typeof m.quality === 'object' ? m.quality : {}, at: Date.now() };
  if (m.rig_state || m.state) w.rigState = m.rig_state || m.state;
  if (well === store.get('well')) showReadouts();
}

store.subscribe(['well', 'windowS'], () => { showReadouts(); scheduleRedraw(); drawMudLog(); });
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
// Readouts go stale and the time axis moves on while nothing arrives.
setInterval(() => { showReadouts(); scheduleRedraw(); }, 1000);
setInterval(drawMudLog, 2000);
