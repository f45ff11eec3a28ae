/* rigstream dashboard: alarms. The alarms the bridge holds (/api/alerts, then the live feed), in the live view's
   side panel and the alerts view (filters, flood summary, audit trail). The prediction engine owns each alarm's
   lifecycle (unack_active, ack_active, rtn_unack, normal): acknowledge with a name and a comment, shelve with a
   reason for a while, out of service with a reason, all through POST /api/alerts/<id>/<action>. The operator's
   name is asked once and remembered (localStorage). The banner (#crit-banner) and the sound announce critical
   and safety-critical alarms (kick, losses) not acknowledged, shelved or out of service; the sound is on by
   default and armed by the first click or key (browsers refuse audio before one). */
import { $, el } from './dom.js';
import { getJson, sendJson } from './bridge.js';
import * as units from './units.js';

const NAME_KEY = 'rigstream.operator';
const SOUND_KEY = 'rigstream.sound';
const SAFETY = ['kick', 'lost_circulation'];     // detectors whose alarms are announced whatever their severity
const STATE_LABEL = { unack_active: 'active, not acknowledged', ack_active: 'active, acknowledged',
                      rtn_unack: 'returned, not acknowledged', normal: 'normal' };
const SHELVE_MINUTES = [5, 15, 30, 60, 120, 240, 480, 720];

const alerts = {};                  // alert_id -> alert
let announced = [];                 // alarms the banner and the sound announce now
let form = null;                    // the open request form: { id, action, node }
let sound = localStorage.getItem(SOUND_KEY) !== 'off', audio = null, lastBeepAt = 0;
const filters = { well: '', severity: '', state: '', hours: 0 };

export function operator() { return (localStorage.getItem(NAME_KEY) || '').trim(); }

function managed(a) { return typeof a.alarm_state === 'string'; }
function listed(a) { return managed(a) ? a.alarm_state !== 'normal' : a.active !== false && a.state !== 'cleared'; }
function waitsForAck(a) { return managed(a) ? /unack/.test(a.alarm_state) : !a.acked; }
function shelved(a) { return a.shelved_until_us > Date.now() * 1000; }
function suppressed(a) { return a.out_of_service === true || shelved(a); }
function holding(a) { return managed(a) ? /active$/.test(a.alarm_state) : listed(a); }
function announces(a) {
  return holding(a) && waitsForAck(a) && !suppressed(a) && (a.severity === 'critical' || SAFETY.includes(a.type));
}

function byNewest(list) { return list.sort((a, b) => (b.ts || 0) - (a.ts || 0)); }
function clock(us) { return us ? new Date(us / 1000).toISOString().replace('T', ' ').slice(0, 19) + 'Z' : ''; }

// What an alarm is about, with its value in the operator's units.
function describe(a) {
  const what = a.rule || (a.type || '').replace(/_/g, ' ');
  if (!a.channel || typeof a.value !== 'number') return what;
  const v = units.shown(a.channel, a.value);
  return what + ': ' + units.label(a.channel) + ' ' + units.fmt(v) + ' ' + units.shownUnit(a.channel);
}

// The engine's message in the operator's units: its quantities (message_template, message_values, in the
// suite's units) converted; the engine's own text when there is nothing to convert or metric is shown.
function messageText(a) {
  const vals = a.message_values;
  if (!a.message_template || !Array.isArray(vals) || units.current() === 'metric') return a.message;
  return a.message_template.replace(/\{(\d+)\}/g, (m, i) => {
    const q = vals[Number(i)];
    if (!q || typeof q.value !== 'number' || typeof q.unit !== 'string') return m;
    const v = units.value(q.unit, q.value);
    return (q.plus && v >= 0 ? '+' : '') + (units.unit(q.unit) === q.unit ? q.value.toFixed(q.decimals || 0)
                                                                        : units.fmt(v)) + ' ' + units.unit(q.unit);
  });
}

function button(cls, text, action, a) {
  const b = el('button', cls, text);
  b.type = 'button';
  b.addEventListener('click', () => { openForm(a.alert_id, action); });
  return b;
}

function alertItem(a) {
  const li = el('li', 'alert ' + (a.severity || 'info') + (waitsForAck(a) ? '' : ' acked') +
                      (suppressed(a) ? ' suppressed' : '') + (holding(a) ? '' : ' returned'));
  li.dataset.alertId = a.alert_id;
  li.dataset.type = a.type || '';
  li.dataset.rule = a.rule || '';
  li.dataset.severity = a.severity || '';
  li.dataset.well = a.well || '';
  li.dataset.state = a.alarm_state || (a.acked ? 'acked' : 'active');
  const msg = el('div', 'msg', messageText(a) || describe(a));
  if (a.first_out) msg.prepend(el('span', 'badge first-out', 'FIRST OUT'));
  li.appendChild(msg);
  const meta = [a.well, a.severity, managed(a) ? STATE_LABEL[a.alarm_state] : a.state, a.time || clock(a.ts)];
  if (a.acked_by) meta.push('acked by ' + a.acked_by + (a.ack_comment ? ': "' + a.ack_comment + '"' : ''));
  if (shelved(a)) meta.push('shelved until ' + clock(a.shelved_until_us));
  if (a.out_of_service) meta.push('out of service');
  li.appendChild(el('div', 'meta', meta.filter(Boolean).join(' · ')));
  if (waitsForAck(a) && listed(a)) li.appendChild(button('ack', 'Acknowledge', 'ack', a));
  if (managed(a) && listed(a)) {
    if (shelved(a)) li.appendChild(button('unshelve', 'Unshelve', 'unshelve', a));
    else if (!a.out_of_service) li.appendChild(button('shelve', 'Shelve', 'shelve', a));
    li.appendChild(a.out_of_service ? button('in-service', 'In service', 'in-service', a)
                                    : button('oos', 'Out of service', 'out-of-service', a));
  }
  return li;
}

function passes(a) {
  if (filters.well && a.well !== filters.well) return false;
  if (filters.severity && a.severity !== filters.severity) return false;
  if (filters.state === 'shelved' && !shelved(a)) return false;
  if (filters.state === 'out_of_service' && !a.out_of_service) return false;
  if (filters.state && !['shelved', 'out_of_service'].includes(filters.state) &&
      (a.alarm_state || (a.acked ? 'ack_active' : 'unack_active')) !== filters.state) return false;
  if (filters.hours && (a.ts || 0) < (Date.now() - filters.hours * 3600e3) * 1000) return false;
  return true;
}

// EEMUA 191: more than 10 alarms in 10 minutes on a well is a flood; say so once, with the first out.
function renderFloods(list) {
  const box = $('alerts-flood');
  if (!box) return;
  box.textContent = '';
  const byWell = {};
  list.filter((a) => listed(a) && a.flood).forEach((a) => { (byWell[a.well] = byWell[a.well] || []).push(a); });
  Object.keys(byWell).forEach((w) => {
    const recent = list.filter((a) => a.well === w && (a.started_ts || a.ts || 0) > (Date.now() - 600e3) * 1000);
    const first = list.filter((a) => a.well === w && a.first_out).pop();
    box.appendChild(el('p', 'flood', 'Alarm flood on ' + w + ': ' + recent.length + ' alarms in 10 min' +
                                     (first ? '; first out: ' + (messageText(first) || describe(first)) : '')));
  });
  box.hidden = !box.firstChild;
}

function fillWells(list) {
  const sel = $('alerts-f-well');
  if (!sel) return;
  const wells = [...new Set(list.map((a) => a.well))].sort();
  if (sel.options.length - 1 === wells.length) return;
  const keep = sel.value;
  sel.textContent = '';
  sel.appendChild(el('option', '', 'all wells')).value = '';
  wells.forEach((w) => { sel.appendChild(el('option', '', w)).value = w; });
  sel.value = keep;
}

function render() {
  const list = byNewest(Object.keys(alerts).map((k) => alerts[k]));
  const focused = document.activeElement;
  if (form) form.node.remove();
  [['alerts-active', 'alerts-history', false], ['alerts-view-active', 'alerts-view-history', true]].forEach(
    ([act, hist, filtered]) => {
      const active = $(act), history = $(hist);
      if (!active || !history) return;
      active.textContent = '';
      history.textContent = '';
      list.filter((a) => !filtered || passes(a)).forEach((a) => {
        (listed(a) ? active : history).appendChild(alertItem(a));
      });
    });
  const n = list.filter(listed).length;
  $('alert-count').textContent = String(n);
  $('alerts-view-count').textContent = String(n);
  fillWells(list);
  renderFloods(list);
  if (form) placeForm(focused);
  announced = list.filter(announces);
  // The visual cue: the banner while a critical or safety-critical alarm waits for acknowledgement.
  const banner = $('crit-banner');
  const top = announced[0];
  banner.hidden = !top;
  banner.textContent = top ? (top.severity === 'critical' ? 'CRITICAL: ' : 'ALARM: ') + top.well + ' ' + describe(top) +
                             (announced.length > 1 ? ' (+' + (announced.length - 1) + ')' : '') : '';
  document.body.classList.toggle('critical', !!top);
}

// ---- requests on an alarm: a small form in its list item --------------------
function field(labelText, input) {
  const l = el('label', 'field', labelText + ' ');
  l.appendChild(input);
  return l;
}

function textInput(key, max, value) {
  const i = el('input');
  i.type = 'text';
  i.maxLength = max;
  i.dataset.key = key;
  i.value = value || '';
  return i;
}

function openForm(id, action) {
  if (form) form.node.remove();
  const f = el('form', 'alarm-form');
  f.dataset.action = action;
  const name = textInput('by', 64, operator());
  name.required = true;
  f.appendChild(field('Name', name));
  if (action === 'ack') f.appendChild(field('Comment', textInput('comment', 500)));
  if (action === 'shelve' || action === 'out-of-service') {
    const r = textInput('reason', 200);
    r.required = true;
    f.appendChild(field('Reason', r));
  }
  if (action === 'shelve') {
    const m = el('select');
    m.dataset.key = 'minutes';
    SHELVE_MINUTES.forEach((v) => { m.appendChild(el('option', '', v < 60 ? v + ' min' : v / 60 + ' h')).value = v; });
    m.value = '30';
    f.appendChild(field('For', m));
  }
  const ok = el('button', 'confirm', { ack: 'Acknowledge', shelve: 'Shelve', unshelve: 'Unshelve',
                                       'out-of-service': 'Take out of service', 'in-service': 'Put in service' }[action]);
  ok.type = 'submit';
  const cancel = el('button', 'cancel', 'Cancel');
  cancel.type = 'button';
  cancel.addEventListener('click', closeForm);
  f.appendChild(ok);
  f.appendChild(cancel);
  f.appendChild(el('span', 'error'));
  f.lastChild.setAttribute('role', 'alert');
  f.addEventListener('submit', (e) => { e.preventDefault(); submit(id, action, f); });
  f.addEventListener('keydown', (e) => { if (e.key === 'Escape') closeForm(); e.stopPropagation(); });
  form = { id: id, action: action, node: f };
  placeForm(null);
  (operator() ? f.querySelector('input[data-key="comment"], input[data-key="reason"], button.confirm') : name).focus();
}

function closeForm() {
  if (form) form.node.remove();
  form = null;
}

// Puts the open form under its alarm in the view on screen, keeping the focus.
function placeForm(focused) {
  const items = [...document.querySelectorAll('li[data-alert-id="' + form.id + '"]')];
  const li = items.find((x) => x.offsetParent !== null) || items[0];
  if (!li) { form = null; return; }
  li.appendChild(form.node);
  if (focused && form.node.contains(focused)) focused.focus();
}

function submit(id, action, f) {
  const body = {};
  f.querySelectorAll('[data-key]').forEach((i) => {
    const v = i.dataset.key === 'minutes' ? Number(i.value) : i.value;
    if (v !== '' || i.dataset.key === 'by') body[i.dataset.key] = v;
  });
  const err = f.querySelector('.error');
  err.textContent = '';
  sendJson('POST', 'api/alerts/' + encodeURIComponent(id) + '/' + action, body).then((res) => {
    if (!res.ok) { err.textContent = res.doc.error || 'refused'; return; }
    localStorage.setItem(NAME_KEY, body.by.trim());
    if ($('operator-name')) $('operator-name').value = body.by.trim();
    closeForm();
    put(res.doc);
    loadAudit();
  }).catch((e) => { err.textContent = 'failed: ' + e; });
}

// A new or changed alarm (from the feed or an answer to a request).
let auditTimer = null;
export function put(a) {
  if (!a || !a.alert_id) return;
  const old = alerts[a.alert_id];
  alerts[a.alert_id] = a;
  render();
  if (announces(a) && (!old || !announces(old))) beep();
  // Something happened to an alarm: the audit trail on screen catches up once the saver has it.
  if (a.action && !$('view-alerts').hidden && !auditTimer)
    auditTimer = setTimeout(() => { auditTimer = null; loadAudit(); }, 2000);
}

// Every alarm the bridge holds, replacing what is shown.
export function load() {
  getJson('api/alerts').then((doc) => {
    Object.keys(alerts).forEach((k) => { delete alerts[k]; });
    (doc.history || []).concat(doc.active || []).forEach((a) => { alerts[a.alert_id] = a; });
    render();
    if (announced.length) beep();
  }).catch(() => {});
}

export function ack(id) { openForm(id, 'ack'); }

// The keyboard's acknowledgement (A): the newest announced alarm, else the newest waiting one; the form opens
// with the name filled in, Enter confirms.
export function ackNewest() {
  const waiting = byNewest(Object.keys(alerts).map((k) => alerts[k]).filter((a) => listed(a) && waitsForAck(a)));
  const target = announced[0] || waiting[0];
  if (target) openForm(target.alert_id, 'ack');
}

// ---- audit trail ---------------------------------------------------------------
export function loadAudit() {
  const body = $('audit-body');
  if (!body) return;
  const q = new URLSearchParams({ limit: '200' });
  if (filters.well) q.set('well', filters.well);
  if (filters.hours) q.set('since', String(Math.round((Date.now() - filters.hours * 3600e3) * 1000)));
  getJson('api/audit?' + q.toString()).then((doc) => {
    body.textContent = '';
    (doc.entries || []).forEach((e) => {
      const tr = el('tr');
      tr.dataset.action = e.action;
      [clock(e.ts_us), e.well || 'all', e.alert_id ? '#' + e.alert_id : '', e.action.replace(/_/g, ' '), e.who,
       e.addr || '', e.detail || '']
        .forEach((t) => { tr.appendChild(el('td', '', t)); });
      body.appendChild(tr);
    });
    $('audit-status').textContent = doc.error ? 'audit trail not available: ' + doc.error
                                              : (doc.entries || []).length + ' entries';
  }).catch((e) => { $('audit-status').textContent = 'audit trail not available: ' + e; });
}

// ---- audible cue -------------------------------------------------------------
function armed() { return !!audio && audio.state === 'running'; }

function showSound() {
  const b = $('sound');
  b.setAttribute('aria-pressed', String(sound));
  b.textContent = !sound ? 'Sound off' : armed() ? 'Sound on' : 'Sound on (click to arm)';
  b.title = sound && !armed() ? 'The browser plays sound only after a click or a key: any will do (S: on / off)'
                              : 'Beep on critical and safety-critical alarms (S)';
}

// Browsers let a page make sound only after a user gesture: the first click or key anywhere arms it.
function arm() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!audio && Ctx) audio = new Ctx();
  if (audio && audio.state === 'suspended') audio.resume().then(showSound, showSound);
  showSound();
}

function beep() {
  if (!sound || !armed()) return;
  lastBeepAt = Date.now();
  window.rsBeeps = (window.rsBeeps || 0) + 1;   // for tests and the curious
  const ctx = audio, t = ctx.currentTime;
  [0, 0.25].forEach((d) => {
    const osc = ctx.createOscillator(), gain = ctx.createGain();
    osc.type = 'square';
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, t + d);
    gain.gain.setValueAtTime(0, t + d + 0.15);
    osc.connect(gain);
    gain.connect(ctx.destination);
    osc.start(t + d);
    osc.stop(t + d + 0.16);
  });
}

export function toggleSound() {
  sound = !sound;
  localStorage.setItem(SOUND_KEY, sound ? 'on' : 'off');
  arm();
  if (sound && announced.length) beep();
}

// While an announced alarm waits for acknowledgement, the beep repeats every 10 s; shelves expire on their own.
setInterval(() => {
  if (sound && announced.length && Date.now() - lastBeepAt >= 10000) beep();
}, 1000);
setInterval(render, 30000);

['pointerdown', 'keydown'].forEach((t) => { document.addEventListener(t, arm, { capture: true }); });
units.onChange(render);

function bindFilter(id, key, number) {
  const s = $(id);
  if (!s) return;
  s.addEventListener('change', () => { filters[key] = number ? Number(s.value) : s.value; render(); loadAudit(); });
}

// The controls of the alerts view; the audit trail loads each time the view is shown.
function init() {
  showSound();
  bindFilter('alerts-f-well', 'well');
  bindFilter('alerts-f-severity', 'severity');
  bindFilter('alerts-f-state', 'state');
  bindFilter('alerts-f-time', 'hours', true);
  const name = $('operator-name');
  if (name) {
    name.value = operator();
    name.addEventListener('change', () => { localStorage.setItem(NAME_KEY, name.value.trim()); });
  }
  const refresh = $('audit-refresh');
  if (refresh) refresh.addEventListener('click', loadAudit);
  const view = $('view-alerts');
  if (view) new MutationObserver(() => { if (!view.hidden) loadAudit(); }).observe(view, { attributes: true,
                                                                                         attributeFilter: ['hidden'] });
}
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init); else init();
