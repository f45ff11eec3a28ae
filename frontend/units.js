/* rigstream dashboard units. Values arrive in the suite's stored units (m, kN, bar, L/min, m3, degC, kg/m3;
   docs/PROTOCOL.md); an operator may read them in metric or in imperial (US oilfield) units. The factors come
   from the bridge (/api/channels, "units"), the same table the console logger uses, so both always agree.
   The choice is kept per browser; the bridge's DISPLAY_UNITS gives the first one. Values are kept as they
   arrive and converted only where they are shown. */

const KEY = 'rigstream.units';
let table = {};                     // stored unit -> { unit, scale, offset } shown in imperial
let system = 'metric';
const listeners = [];
const channelUnits = {};            // channel (or KPI) name -> stored unit
const channelLabels = {};           // channel name -> label

function stored() {
  try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
}
function view(unit) { return system === 'imperial' ? table[unit] || null : null; }
function isNum(x) { return typeof x === 'number' && isFinite(x); }

// doc: the "units" object of /api/channels ({ default, imperial: {...} }).
export function configure(doc) {
  table = (doc && doc.imperial) || {};
  const s = stored();
  system = s === 'metric' || s === 'imperial' ? s : (doc && doc.default) || 'metric';
}

export function current() { return system; }

export function setSystem(s) {
  if (s !== 'metric' && s !== 'imperial') return;
  system = s;
  try { window.localStorage.setItem(KEY, s); } catch (e) { /* private mode: not kept */ }
  listeners.forEach((fn) => fn(s));
}

export function onChange(fn) { listeners.push(fn); }

// The unit a value stored in `unit` is shown in.
export function unit(u) { const v = view(u); return v ? v.unit : u || ''; }
// A stored value as shown; null, undefined and NaN pass through.
export function value(u, x) { const v = view(u); return v && isNum(x) ? x * v.scale + v.offset : x; }
export function values(u, arr) {
  const v = view(u);
  if (!v || !arr) return arr;
  return arr.map((x) => (isNum(x) ? x * v.scale + v.offset : x));
}
// A difference (hysteresis, a range): scaled, never offset.
export function delta(u, x) { const v = view(u); return v && isNum(x) ? x * v.scale : x; }
// A shown value (or difference) back into the stored unit, for what the operator types.
export function back(u, x) { const v = view(u); return v && isNum(x) ? (x - v.offset) / v.scale : x; }
export function backDelta(u, x) { const v = view(u); return v && isNum(x) ? x / v.scale : x; }

// Channels (from /api/channels) and other named values (KPIs) with their stored units.
export function addChannel(name, u, label) {
  channelUnits[name] = u;
  if (label !== undefined) channelLabels[name] = label;
}
export function addUnits(map) {
  Object.keys(map).forEach((k) => { if (!(k in channelUnits)) channelUnits[k] = map[k]; });
}
export function label(name) { return channelLabels[name] || name; }
export function unitOf(name) { return channelUnits[name] || ''; }
export function shownUnit(name) { return unit(unitOf(name)); }
export function shown(name, v) { return value(unitOf(name), v); }

// A number for a readout, a legend or an axis.
export function fmt(v) {
  if (v === null || v === undefined || !isFinite(v)) return '-';
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 100 ? v.toFixed(1) : v.toFixed(2);
}
