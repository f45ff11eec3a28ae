/* rigstream dashboard: alerts. The active and cleared alerts (from /api/alerts, then the live feed), shown in
   the live view's side panel and the alerts view, acknowledged with POST /api/alerts/<id>/ack; the blinking
   banner while a critical one waits, and the optional beep (WebAudio, no sound file). */
import { $, el } from './dom.js';
import { getJson, sendJson } from './bridge.js';

const alerts = {};                  // alert_id -> alert
let unackedCritical = 0;
let sound = false, audio = null, lastBeepAt = 0;

function isActive(a) { return a.active !== false && a.state !== 'cleared'; }

function byNewest(list) {
  return list.sort((a, b) => (b.ts || 0) - (a.ts || 0));
}

function alertItem(a) {
  const li = el('li', 'alert ' + (a.severity || 'info') + (a.acked ? ' acked' : ''));
  li.dataset.alertId = a.alert_id;
  li.dataset.type = a.type || '';
  li.dataset.rule = a.rule || '';
  li.dataset.severity = a.severity || '';
  li.dataset.well = a.well || '';
  li.appendChild(el('div', 'msg', a.message || (a.type + (a.rule ? ' ' + a.rule : ''))));
  const when = a.time || '';
  li.appendChild(el('div', 'meta', a.well + ' · ' + (a.severity || '') + ' · ' + (a.state || '') + ' · ' + when +
                                   (a.acked ? ' · acked by ' + (a.acked_by || '') : '')));
  if (!a.acked) {
    const b = el('button', 'ack', 'Acknowledge');
    b.addEventListener('click', () => { ack(a.alert_id); });
    li.appendChild(b);
  }
  return li;
}

function render() {
  const lists = [['alerts-active', 'alerts-history'], ['alerts-view-active', 'alerts-view-history']];
  const list = byNewest(Object.keys(alerts).map((k) => alerts[k]));
  let n = 0;
  const crit = [];
  lists.forEach((ids, i) => {
    const active = $(ids[0]), history = $(ids[1]);
    active.textContent = '';
    history.textContent = '';
    list.forEach((a) => {
      if (isActive(a)) {
        active.appendChild(alertItem(a));
        if (i === 0) {
          n++;
          if (a.severity === 'critical' && !a.acked) crit.push(a);
        }
      } else {
        history.appendChild(alertItem(a));
      }
    });
  });
  $('alert-count').textContent = String(n);
  $('alerts-view-count').textContent = String(n);
  // The visual cue: a blinking banner while a critical alert is active and not acknowledged.
  const banner = $('crit-banner');
  banner.hidden = crit.length === 0;
  banner.textContent = crit.length ? 'CRITICAL: ' + crit[0].well + ' ' + (crit[0].message || crit[0].type) +
                                     (crit.length > 1 ? ' (+' + (crit.length - 1) + ')' : '') : '';
  document.body.classList.toggle('critical', crit.length > 0);
  unackedCritical = crit.length;
}

// A new or changed alert (from the feed or an acknowledgement).
export function put(a) {
  if (!a || !a.alert_id) return;
  const old = alerts[a.alert_id];
  alerts[a.alert_id] = a;
  render();
  if (a.severity === 'critical' && isActive(a) && !a.acked && (!old || old.severity !== 'critical')) beep();
}

// Every alert the bridge holds, replacing what is shown.
export function load() {
  getJson('api/alerts').then((doc) => {
    Object.keys(alerts).forEach((k) => { delete alerts[k]; });
    (doc.history || []).concat(doc.active || []).forEach((a) => { alerts[a.alert_id] = a; });
    render();
  }).catch(() => {});
}

export function ack(id) {
  sendJson('POST', 'api/alerts/' + encodeURIComponent(id) + '/ack', { by: 'operator' })
    .then((res) => { if (res.doc.alert_id) put(res.doc); }).catch(() => {});
}

// Acknowledges the newest active alert not acknowledged yet.
export function ackNewest() {
  const list = byNewest(Object.keys(alerts).map((k) => alerts[k]).filter((a) => isActive(a) && !a.acked));
  if (list.length) ack(list[0].alert_id);
}

// ---- audible cue (off by default) ------------------------------------------
function beep() {
  if (!sound || !audio) return;
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
  // Created on a click: browsers only let a page make sound after a user gesture.
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (sound && !audio && Ctx) audio = new Ctx();
  if (audio && audio.state === 'suspended') audio.resume();
  const b = $('sound');
  b.setAttribute('aria-pressed', String(sound));
  b.textContent = sound ? 'Sound on' : 'Sound off';
  if (sound && unackedCritical) beep();
}

// While a critical alert waits for acknowledgement, the beep repeats every 10 s.
setInterval(() => {
  if (sound && unackedCritical && Date.now() - lastBeepAt >= 10000) beep();
}, 1000);
