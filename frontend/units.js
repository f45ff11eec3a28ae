/* rigstream dashboard units. Values arrive in the suite's stored units (m, kN, bar, L/min, m3, degC, kg/m3;
   docs/PROTOCOL.md); an operator may read them in metric or in imperial (US oilfield) units. The factors come
   from the bridge (/api/channels, "units"), the same table the console logger uses, so both always agree.
   The choice is kept per browser; the bridge's DISPLAY_UNITS gives the first one. */
(function () {
  'use strict';
  var KEY = 'rigstream.units';
  var table = {};                   // stored unit -> { unit, scale, offset } shown in imperial
  var system = 'metric';
  var listeners = [];

  function stored() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }
  function view(unit) { return system === 'imperial' ? table[unit] || null : null; }
  function isNum(x) { return typeof x === 'number' && isFinite(x); }

  window.rigstreamUnits = {
    // doc: the "units" object of /api/channels ({ default, imperial: {...} }).
    configure: function (doc) {
      table = (doc && doc.imperial) || {};
      var s = stored();
      system = s === 'metric' || s === 'imperial' ? s : (doc && doc.default) || 'metric';
    },
    system: function () { return system; },
    set: function (s) {
      if (s !== 'metric' && s !== 'imperial') return;
      system = s;
      try { window.localStorage.setItem(KEY, s); } catch (e) { /* private mode: not kept */ }
      listeners.forEach(function (fn) { fn(s); });
    },
    onChange: function (fn) { listeners.push(fn); },
    // The unit a value stored in `unit` is shown in.
    unit: function (unit) { var v = view(unit); return v ? v.unit : unit || ''; },
    // A stored value as shown; null, undefined and NaN pass through.
    value: function (unit, x) { var v = view(unit); return v && isNum(x) ? x * v.scale + v.offset : x; },
    values: function (unit, arr) {
      var v = view(unit);
      if (!v || !arr) return arr;
      return arr.map(function (x) { return isNum(x) ? x * v.scale + v.offset : x; });
    },
    // A difference (hysteresis, a range): scaled, never offset.
    delta: function (unit, x) { var v = view(unit); return v && isNum(x) ? x * v.scale : x; },
    // A shown value (or difference) back into the stored unit, for what the operator types.
    back: function (unit, x) { var v = view(unit); return v && isNum(x) ? (x - v.offset) / v.scale : x; },
    backDelta: function (unit, x) { var v = view(unit); return v && isNum(x) ? x / v.scale : x; }
  };
})();
