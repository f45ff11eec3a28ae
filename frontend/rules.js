/* rigstream dashboard: the prediction engine's threshold rules, edited in the alerts view (GET / PUT
   /api/thresholds). Bounds are shown in the operator's units and sent back in the engine's (stored) units. */
import { $, el } from './dom.js';
import { answer, apiFetch, sendJson } from './bridge.js';
import * as units from './units.js';
import { loadAudit } from './alerts.js';

const SEVERITIES = ['info', 'warning', 'critical'];
let rules = null;                   // the rules being edited (null until loaded)
let dirty = false;                  // edited since loaded
let savedAt = 0;

// True when the table holds changes not saved to the engine.
export function isDirty() { return dirty; }
// True once rules have been loaded (or added).
export function loaded() { return rules !== null; }

function status(text, bad) {
  const s = $('rules-status');
  s.textContent = text;
  s.style.color = bad ? 'var(--crit)' : '';
}

function edited() {
  dirty = true;
  status('unsaved changes');
}

export function load() {
  status('loading...');
  apiFetch('api/thresholds').then(answer).then((res) => {
    if (!res.ok) { status(res.doc.error || 'engine not available', true); return; }
    rules = res.doc.rules || [];
    dirty = false;
    const file = res.doc.rules_file || res.doc.config_file;
    $('rules-file').textContent = file ? '(saved in ' + file + ')' : '(not saved to a file)';
    render();
    if (!savedAt || Date.now() - savedAt > 3000)
      status(rules.length + ' rule(s) from the engine');
    else
      status('saved: ' + rules.length + ' rule(s) in the engine');
  }).catch((e) => { status('failed: ' + e, true); });
}

// A number field of a rule. kind 'value' or 'delta': in the channel's unit, shown in the operator's units and
// stored back in the engine's.
function numInput(rule, key, label, kind) {
  const i = el('input', 'num');
  i.type = 'number';
  i.step = 'any';
  i.dataset.key = key;
  i.setAttribute('aria-label', label);
  let unit = '';
  // Shows the stored value again, in the unit of the rule's channel now.
  i.refresh = () => {
    unit = kind ? units.unitOf(rule.channel) : '';
    let v = rule[key];
    if (kind && typeof v === 'number') v = +(kind === 'delta' ? units.delta(unit, v) : units.value(unit, v)).toPrecision(6);
    i.value = v === undefined || v === null ? '' : String(v);
  };
  i.refresh();
  i.addEventListener('input', () => {
    const x = Number(i.value);
    if (i.value === '') delete rule[key];
    else rule[key] = !kind ? x : kind === 'delta' ? units.backDelta(unit, x) : units.back(unit, x);
    if (key === 'min_duration_s') delete rule.clear_duration_s;   // follows min_duration_s unless set in the file
    edited();
  });
  return i;
}

function textInput(rule, key, label, list) {
  const i = el('input');
  i.dataset.key = key;
  i.setAttribute('aria-label', label);
  if (list) i.setAttribute('list', list);
  i.value = rule[key] || '';
  i.addEventListener('input', () => {
    if (i.value === '') delete rule[key];
    else rule[key] = i.value;
    edited();
  });
  return i;
}

export function render() {
  const body = $('rules-body');
  body.textContent = '';
  (rules || []).forEach((rule, idx) => {
    const tr = el('tr');
    tr.dataset.index = idx;
    const cells = [
      textInput(rule, 'name', 'rule name'),
      textInput(rule, 'channel', 'channel', 'channel-names'),
      el('span', 'unit', units.shownUnit(rule.channel)),
      numInput(rule, 'min', 'minimum', 'value'),
      numInput(rule, 'max', 'maximum', 'value'),
      numInput(rule, 'hysteresis', 'hysteresis', 'delta'),
      numInput(rule, 'min_duration_s', 'hold time, s')
    ];
    const sev = el('select');
    sev.dataset.key = 'severity';
    sev.setAttribute('aria-label', 'severity');
    SEVERITIES.forEach((v) => { const o = el('option', null, v); o.value = v; sev.appendChild(o); });
    sev.value = rule.severity || 'warning';
    sev.addEventListener('change', () => { rule.severity = sev.value; edited(); });
    cells.push(sev);
    cells.push(textInput(rule, 'message', 'message'));
    const on = el('input');
    on.type = 'checkbox';
    on.dataset.key = 'enabled';
    on.setAttribute('aria-label', 'enabled');
    on.checked = rule.enabled !== false;
    on.addEventListener('change', () => { rule.enabled = on.checked; edited(); });
    cells.push(on);
    const del = el('button', 'rule-remove', 'Remove');
    del.type = 'button';
    del.setAttribute('aria-label', 'remove rule ' + (rule.name || idx + 1));
    del.addEventListener('click', () => {
      rules.splice(idx, 1);
      dirty = true;
      render();
      status('unsaved changes');
    });
    cells.push(del);
    // Another channel may have another unit: show its bounds in it.
    cells[1].addEventListener('change', () => {
      cells[2].textContent = units.shownUnit(rule.channel);
      cells.slice(3, 6).forEach((n) => { n.refresh(); });
    });
    cells.forEach((c) => { const td = el('td'); td.appendChild(c); tr.appendChild(td); });
    body.appendChild(tr);
  });
}

export function add() {
  if (!rules) rules = [];
  rules.push({ channel: '', severity: 'warning', enabled: true });
  dirty = true;
  render();
  const rows = $('rules-body').querySelectorAll('tr');
  rows[rows.length - 1].querySelector('input[data-key="name"]').focus();
}

export function save() {
  if (!rules) return;
  // Unset fields are left out: the engine fills in its defaults (name from channel and bound...).
  const out = rules.map((r) => {
    const o = {};
    Object.keys(r).forEach((k) => {
      const v = r[k];
      if (v === null || v === undefined || v === '' || (typeof v === 'number' && !isFinite(v))) return;
      if (Array.isArray(v) && !v.length) return;
      o[k] = v;
    });
    return o;
  });
  status('saving...');
  const body = { rules: out };
  const by = (localStorage.getItem('rigstream.operator') || '').trim();
  if (by) body.by = by;
  sendJson('PUT', 'api/thresholds', body).then((res) => {
    if (!res.ok || !res.doc.ok) { status('refused: ' + (res.doc.error || 'failed'), true); return; }
    load();
    // load() overwrites the status when it answers; say what happened first.
    status('saved: ' + res.doc.rules + ' rule(s)' + (res.doc.saved ? ', written to the file' : ''));
    savedAt = Date.now();
    // The change is in the audit trail once the saver has it (its batch interval).
    setTimeout(loadAudit, 2000);
  }).catch((e) => { status('failed: ' + e, true); });
}
