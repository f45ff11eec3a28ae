/* rigstream dashboard: live strip charts, readouts, rig state and alerts from rigstream-web's WebSocket (/ws,
   docs/WEB.md), history from /api/history. Plain browser JavaScript as native ES modules, no build step; uPlot
   is served from vendor/. This module wires the parts together: the header's controls, the views, the
   keyboard, and the start-up (channels, wells, then the live feed). */
import { $, el } from './dom.js';
import { getJson } from './bridge.js';
import * as store from './state.js';
import * as units from './units.js';
import * as auth from './auth.js';
import * as connection from './connection.js';
import * as live from './live.js';
import * as history from './history.js';
import * as analytics from './analytics.js';
import * as alerts from './alerts.js';
import * as rules from './rules.js';

// ---- the live feed -------------------------------------------------------
connection.on('sample', (m) => { live.addSample(m, !!m.replayed, false); });
connection.on('history', live.addHistory);
connection.on('kpi', (m) => {
  live.setRigInfo(m.well, m);
  analytics.setKpi(m.well, m);
});
connection.on('event', (m) => { if (m.event === 'rig_state') live.setRigState(m.well, m.state); });
connection.on('alert', (m) => {
  // On the wire "type" is the message's; the alert's own (kick, threshold...) is alert_type.
  m.type = m.alert_type;
  delete m.alert_type;
  alerts.put(m);
});
connection.on('ack', (m) => { alerts.put(m.alert); });
connection.on('dropped', (m) => { $('stats').textContent = 'server skipped ' + m.count + ' updates (slow link)'; });
// The bridge refused to fill a gap from the history for its limits: say so (live values go on).
connection.on('error', (m) => { if (m.limit) $('stats').textContent = 'history not sent: ' + m.message; });

// The longest live window the page offers: what the first subscription fills from the database.
function longestWindowS() {
  return Math.max.apply(null, Array.prototype.map.call($('window').options, (o) => Number(o.value)));
}

function subscription() {
  const sub = { type: 'subscribe', max_rate_hz: 2 };
  // On load, the recorded history fills the live window (a reload keeps the trend); after a reconnect, what
  // was missed.
  const since = live.sinceUs(longestWindowS());
  if (since) sub.since = Math.floor(since);
  return sub;
}

// ---- wells and views -----------------------------------------------------
store.subscribe(['wells'], () => {
  const sel = $('well');
  store.get('wells').slice(sel.options.length).forEach((name) => {
    const opt = el('option', null, name);
    opt.value = name;
    sel.appendChild(opt);
  });
});
store.subscribe(['well'], () => { $('well').value = store.get('well'); });

function nextWell() {
  const names = store.get('wells').slice().sort();
  if (!names.length) return;
  store.set({ well: names[(names.indexOf(store.get('well')) + 1) % names.length] });
}

function resizeCharts() {
  live.resizeLiveCharts();
  history.resizeHistoryCharts();
}

function showView(name) {
  store.set({ view: name });
  document.querySelectorAll('.tab').forEach((t) => {
    t.classList.toggle('active', t.dataset.view === name);
    t.setAttribute('aria-selected', String(t.dataset.view === name));
  });
  $('view-live').hidden = name !== 'live';
  $('view-history').hidden = name !== 'history';
  $('view-alerts').hidden = name !== 'alerts';
  $('view-analytics').hidden = name !== 'analytics';
  resizeCharts();
  if (name === 'history') history.load();
  if (name === 'analytics') analytics.load();
  if (name === 'alerts' && !rules.isDirty()) rules.load();
}

// ---- units ---------------------------------------------------------------
function showUnitsButton() {
  $('units').textContent = 'Units: ' + units.current();
}

// Everything that shows a value or a unit is drawn again in the new units.
function unitsChanged() {
  showUnitsButton();
  live.buildReadouts();
  live.buildLiveCharts();
  history.dropCharts();
  live.scheduleRedraw();
  const view = store.get('view');
  if (view === 'history') history.load();
  if (view === 'analytics') {
    analytics.showKpis();
    analytics.redraw();
  }
  if (rules.loaded()) rules.render();
}

function toggleUnits() {
  units.setSystem(units.current() === 'metric' ? 'imperial' : 'metric');
}

// ---- keyboard ------------------------------------------------------------
function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target, tag = t && t.tagName;
  if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || (t && t.isContentEditable)) return;
  const help = $('help');
  if (help.open && e.key !== '?') return;
  const k = e.key, zoomed = !!store.get('zoom');
  if (k === '1') showView('live');
  else if (k === '2') showView('history');
  else if (k === '3') showView('analytics');
  else if (k === '4') showView('alerts');
  else if (k === 'p' || k === 'P' || (k === ' ' && tag !== 'BUTTON' && tag !== 'A')) live.togglePause();
  else if (k === 'w' || k === 'W') nextWell();
  else if (k === 'z' || k === 'Z' || (k === 'Escape' && zoomed)) live.zoomLive(0, 0);
  else if (k === 'ArrowLeft' && zoomed) live.panLive(-0.25);
  else if (k === 'ArrowRight' && zoomed) live.panLive(0.25);
  else if (k === 'a' || k === 'A') alerts.ackNewest();
  else if (k === 's' || k === 'S') alerts.toggleSound();
  else if (k === 'u' || k === 'U') toggleUnits();
  else if (k === '?') { if (help.open) help.close(); else help.showModal(); }
  else return;
  e.preventDefault();
}

// ---- start ---------------------------------------------------------------
function init() {
  $('well').addEventListener('change', (e) => { store.set({ well: e.target.value }); });
  $('window').addEventListener('change', (e) => { store.set({ windowS: Number(e.target.value) }); });
  $('pause').addEventListener('click', live.togglePause);
  $('sound').addEventListener('click', alerts.toggleSound);
  $('units').addEventListener('click', toggleUnits);
  units.onChange(unitsChanged);
  $('help-button').addEventListener('click', () => { $('help').showModal(); });
  $('rule-add').addEventListener('click', rules.add);
  $('rules-save').addEventListener('click', rules.save);
  $('rules-reload').addEventListener('click', rules.load);
  document.addEventListener('keydown', onKey);
  $('tracks').addEventListener('dblclick', () => { live.zoomLive(0, 0); });
  // For tests and the curious: the live charts' zoom, and the time range the first live chart shows.
  window.rigstreamZoom = () => store.get('zoom');
  window.rigstreamLiveRange = live.liveRange;
  window.rigstreamLiveData = live.liveData;
  window.rigstreamAxisLabels = live.axisLabels;
  window.rigstreamTimedOut = live.timedOut;
  document.querySelectorAll('.tab').forEach((t) => {
    t.addEventListener('click', () => { showView(t.dataset.view); });
  });
  $('history-form').addEventListener('submit', (e) => { e.preventDefault(); history.load(); });
  $('analytics-form').addEventListener('submit', (e) => { e.preventDefault(); analytics.load(); });
  ['history', 'analytics'].forEach((p) => {
    $(p + '-range').addEventListener('change', () => { history.rangeChanged(p); });
  });
  window.addEventListener('resize', () => {
    resizeCharts();
    if (store.get('view') === 'analytics') analytics.redraw();
  });
  auth.start();
  getJson('api/channels').then((doc) => {
    const dl = $('channel-names');
    units.configure(doc.units);
    showUnitsButton();
    doc.channels.forEach((c) => {
      units.addChannel(c.name, c.unit, c.label);
      const o = el('option');
      o.value = c.name;
      o.label = c.label + ' (' + c.unit + ')';
      dl.appendChild(o);
    });
  }).catch(() => {}).then(() => {
    live.buildReadouts();
    live.buildLiveCharts();
    return getJson('api/wells').then((doc) => {
      if (doc.timeout_s > 0) store.set({ timeoutS: doc.timeout_s });
      doc.wells.forEach(live.knowWell);
    }).catch(() => {});
  }).then(() => { connection.start({ subscription: subscription, onOpen: alerts.load }); });
}

init();
