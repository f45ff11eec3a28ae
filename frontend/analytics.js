/* rigstream dashboard: the analytics view. The latest KPIs of the selected well (from the engine's kpi.<well>
   messages) as panels and the rig-state time breakdown; from the history of the selected range, a crossplot of
   ROP against WOB coloured by RPM, and drilling channels against bit depth. Drawn on plain canvases. */
import { $, el } from './dom.js';
import * as store from './state.js';
import * as units from './units.js';
import { fetchHistory, rangeOf } from './history.js';
import { canvasOf, drawDepthLog, extent } from './depthlog.js';

const KPIS = [
  ['mse_stand_ratio', 'MSE / stand best', ''], ['ccs_mse_ratio', 'CCS / MSE', ''], ['mse_mpa', 'MSE', 'MPa'],
  ['mse_avg5m_mpa', 'MSE 5 min', 'MPa'],
  ['rop_stand', 'ROP this stand', 'm/h'], ['rop_avg5m', 'ROP 5 min', 'm/h'], ['rop_avg15m', 'ROP 15 min', 'm/h'],
  ['wob_avg5m', 'WOB 5 min', 'kN'], ['wob_avg15m', 'WOB 15 min', 'kN'], ['rpm_avg5m', 'RPM 5 min', 'rpm'],
  ['rpm_avg15m', 'RPM 15 min', 'rpm'], ['torque_avg5m', 'Torque 5 min', 'kN.m'], ['torque_avg15m', 'Torque 15 min', 'kN.m'],
  ['spp_avg5m', 'SPP 5 min', 'bar'], ['spp_avg15m', 'SPP 15 min', 'bar'], ['flow_in_avg5m', 'Flow in 5 min', 'L/min'],
  ['flow_in_avg15m', 'Flow in 15 min', 'L/min'], ['rop_next_stand', 'ROP next stand', 'm/h'], ['flow_balance', 'Flow balance', 'L/min'],
  ['flowback_m3', 'Flowback this stop', 'm3'], ['flowback_fingerprint_m3', 'Flowback last stops', 'm3']
];
const STATE_COLOURS = { rotary: '#1f6feb', sliding: '#58a6ff', connection: '#d29922', other: '#484f58' };
const DEPTH_TRACKS = [['rop', '#7ee787', 'ROP'], ['wob', '#f0883e', 'WOB'], ['rpm', '#3fb950', 'RPM'],
                      ['torque', '#d2a8ff', 'TORQUE'], ['spp', '#ff7b72', 'SPP'], ['gas', '#a5d6ff', 'GAS']];

const kpis = {};                    // well -> its latest kpi message
let lastDoc = null;                     // the history the plots were drawn from

// KPI values are in these stored units (threshold rules may name KPIs too).
const kpiUnits = {};
KPIS.forEach((d) => { kpiUnits[d[0]] = d[2]; });
units.addUnits(kpiUnits);

// A well's latest kpi message; shown at once when it is the well in view.
export function setKpi(well, m) {
  kpis[well] = m;
  if (well === store.get('well') && store.get('view') === 'analytics') showKpis();
}

export function showKpis() {
  const k = kpis[store.get('well')], v = (k && k.values) || {};
  const box = $('kpis');
  if (!box.childNodes.length) {
    KPIS.forEach(function (d) {
      let t = el('div', 'kpi');
      t.dataset.kpi = d[0];
      t.appendChild(el('div', 'label', d[1]));
      let line = el('div');
      line.appendChild(el('span', 'value', '-'));
      line.appendChild(el('span', 'unit', ''));
      t.appendChild(line);
      box.appendChild(t);
    });
  }
  KPIS.forEach(function (d) {
    let tile = box.querySelector('[data-kpi="' + d[0] + '"]');
    tile.querySelector('.value').textContent = units.fmt(units.value(d[2], v[d[0]]));
    tile.querySelector('.unit').textContent = units.unit(d[2]);
  });
  $('kpi-time').textContent = k ? (k.time || '') : 'no KPIs from the engine yet';
  let onb = v.on_bottom_pct, conn = v.connection_pct;
  let parts = [];
  if (isFinite(onb) && onb !== null) {
    let rot = isFinite(v.rotary_pct) && v.rotary_pct !== null ? v.rotary_pct : 100;
    parts.push(['rotary', onb * rot / 100, 'drilling rotary'], ['sliding', onb * (100 - rot) / 100, 'drilling sliding']);
  }
  if (isFinite(conn) && conn !== null) parts.push(['connection', conn, 'connections']);
  let used = parts.reduce(function (a, p) { return a + p[1]; }, 0);
  if (parts.length) parts.push(['other', Math.max(0, 100 - used), 'other (trips, off bottom...)']);
  let bar = $('breakdown'), legend = $('breakdown-legend');
  bar.textContent = '';
  legend.textContent = '';
  parts.forEach(function (p) {
    let d = el('div');
    d.style.width = p[1] + '%';
    d.style.background = STATE_COLOURS[p[0]];
    d.title = p[2] + ' ' + p[1].toFixed(1) + '%';
    bar.appendChild(d);
    let l = el('div');
    let sw = el('span', 'sw');
    sw.style.background = STATE_COLOURS[p[0]];
    l.appendChild(sw);
    l.appendChild(document.createTextNode(p[2] + ': ' + p[1].toFixed(1) + '%'));
    legend.appendChild(l);
  });
  let extra = [];
  if (v.circulating_pct !== undefined && v.circulating_pct !== null) extra.push('circulating ' + units.fmt(v.circulating_pct) + '%');
  if (v.connections !== undefined && v.connections !== null) extra.push(v.connections + ' connections');
  if (v.connection_avg_s !== undefined && v.connection_avg_s !== null) extra.push('mean ' + units.fmt(v.connection_avg_s) + ' s');
  if (extra.length) legend.appendChild(el('div', 'status', extra.join(' · ')));
}

// Blue (low) to yellow (high), readable on the dark background.
function ramp(f) {
  let stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  f = Math.max(0, Math.min(1, f)) * (stops.length - 1);
  let i = Math.min(stops.length - 2, Math.floor(f)), g = f - i;
  let c = stops[i].map(function (v, j) { return Math.round(v + (stops[i + 1][j] - v) * g); });
  return 'rgb(' + c.join(',') + ')';
}

function drawCrossplot(doc) {
  let cv = canvasOf('crossplot', 200), ctx = cv[0], W = cv[1], H = cv[2];
  let ch = doc.channels, pts = [];
  for (let i = 0; i < doc.t.length; i++) {
    let x = ch.wob && units.shown('wob', ch.wob.mean[i]), y = ch.rop && units.shown('rop', ch.rop.mean[i]);
    let c = ch.rpm && ch.rpm.mean[i];
    if (x > 0 && y > 0 && c !== null && isFinite(c)) pts.push([x, y, c]);
  }
  $('crossplot').dataset.points = String(pts.length);
  let L = 60, R = 70, T = 10, B = 40;
  ctx.strokeStyle = '#2a313c';
  ctx.strokeRect(L, T, W - L - R, H - T - B);
  ctx.fillStyle = '#8b949e';
  if (!pts.length) { ctx.fillText('no drilling (WOB and ROP above 0) in this range', L + 10, T + 20); return; }
  let xs = extent(pts.map(function (p) { return p[0]; })), ys = extent(pts.map(function (p) { return p[1]; }));
  let cs = extent(pts.map(function (p) { return p[2]; }));
  function px(v) { return L + (v - xs[0]) / (xs[1] - xs[0]) * (W - L - R); }
  function py(v) { return H - B - (v - ys[0]) / (ys[1] - ys[0]) * (H - T - B); }
  for (let k = 0; k <= 4; k++) {
    let fx = xs[0] + (xs[1] - xs[0]) * k / 4, fy = ys[0] + (ys[1] - ys[0]) * k / 4;
    ctx.fillText(units.fmt(fx), px(fx) - 12, H - B + 16);
    ctx.fillText(units.fmt(fy), 8, py(fy) + 4);
  }
  ctx.fillText('WOB (' + units.shownUnit('wob') + ')', W / 2 - 30, H - 6);
  ctx.fillText('ROP (' + units.shownUnit('rop') + ')', L + 6, T + 14);
  pts.forEach(function (p) {
    ctx.fillStyle = ramp((p[2] - cs[0]) / (cs[1] - cs[0]));
    ctx.beginPath();
    ctx.arc(px(p[0]), py(p[1]), 2.5, 0, 2 * Math.PI);
    ctx.fill();
  });
  // Colour scale
  for (let s = 0; s < 100; s++) {
    ctx.fillStyle = ramp(s / 99);
    ctx.fillRect(W - R + 20, H - B - (s + 1) * (H - T - B) / 100, 14, (H - T - B) / 100 + 1);
  }
  ctx.fillStyle = '#8b949e';
  ctx.fillText(units.fmt(cs[1]), W - R + 36, T + 10);
  ctx.fillText(units.fmt(cs[0]), W - R + 36, H - B);
  ctx.fillText('RPM', W - R + 18, H - B + 16);
}

function drawDepth(doc) {
  const ch = doc.channels;
  drawDepthLog('depthplot', doc.t.length, (name) => (ch[name] || {}).mean, DEPTH_TRACKS,
               { min: 200, left: 60, empty: 'no samples on bottom in this range' });
}


// Draws the plots again (units changed, the window resized).
export function redraw() {
  if (lastDoc) { drawCrossplot(lastDoc); drawDepth(lastDoc); }
}

export function load() {
  showKpis();
  if (!store.get('well')) return;
  const status = $('analytics-status');
  status.textContent = 'loading...';
  rangeOf('analytics').then((range) => fetchHistory(range, ['rop', 'wob', 'rpm', 'torque', 'spp', 'gas', 'bit_depth',
                                                            'hole_depth'], 2000)).then((d) => {
    status.textContent = d.points + ' points from ' + d.source + ' (bucket ' + (d.width_us / 1e6) + ' s)';
    lastDoc = d;
    redraw();
  }).catch((e) => { status.textContent = 'failed: ' + e.message; });
}

store.subscribe(['well'], () => { if (store.get('view') === 'analytics') load(); });
