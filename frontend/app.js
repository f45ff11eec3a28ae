/* rigstream dashboard: live strip charts, readouts, rig state and alerts from
   rigstream-web's WebSocket (/ws, docs/WEB.md), history from /api/history.
   Plain browser JavaScript, no build step; uPlot is served from vendor/. */
(function () {
  'use strict';

  var TRACKS = [
    { title: 'Hook load / WOB', series: [['hook_load', '#58a6ff', 'kn'], ['wob', '#f0883e', 'kn']] },
    { title: 'RPM / Torque', series: [['rpm', '#3fb950', 'rpm'], ['torque', '#d2a8ff', 'torque']] },
    { title: 'SPP / Flow in / Flow out', series: [['spp', '#ff7b72', 'bar'], ['flow_in', '#79c0ff', 'flow'], ['flow_out', '#56d364', 'flow']] },
    { title: 'Pit volume / Pit gain', series: [['pit_volume', '#e3b341', 'vol'], ['pit_gain', '#ff9bce', 'gain']] },
    { title: 'Gas', series: [['gas', '#a5d6ff', 'gas']] },
    { title: 'ROP', series: [['rop', '#7ee787', 'rop']] }
  ];
  var READOUTS = ['hook_load', 'wob', 'rpm', 'torque', 'spp', 'flow_in', 'flow_out', 'pit_volume', 'pit_gain',
                  'gas', 'rop', 'bit_depth', 'hole_depth'];
  var MAX_POINTS = 7200;            // per well kept in memory (1 h at 2 Hz)
  var STALE_MS = 5000;

  var state = {
    units: {}, labels: {},
    wells: {},                      // well -> { t: [], ch: {name: []}, last: sample, rigState }
    well: null,
    paused: false,
    windowS: 600,
    zoom: null,                     // {min, max} in s while the live charts are zoomed, else null
    ws: null, retryMs: 1000, lastMsgAt: 0, lastTsUs: 0,
    charts: [], historyCharts: [],
    alerts: {},                     // alert_id -> alert
    rules: null,                    // threshold rules being edited (null until loaded)
    rulesDirty: false,
    sound: false, audio: null, lastBeepAt: 0,
    view: 'live',
    dirty: false
  };
  var haveUPlot = typeof window.uPlot === 'function';
  var U = window.rigstreamUnits;

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // Values are kept as they arrive, in the stored units; they are converted
  // into the operator's units (units.js) only where they are shown.
  function unitOf(name) { return state.units[name] || KPI_UNITS[name] || ''; }
  function shownUnit(name) { return U.unit(unitOf(name)); }
  function shown(name, v) { return U.value(unitOf(name), v); }

  function fmt(v) {
    if (v === null || v === undefined || !isFinite(v)) return '-';
    var a = Math.abs(v);
    return a >= 1000 ? v.toFixed(0) : a >= 100 ? v.toFixed(1) : a >= 10 ? v.toFixed(2) : v.toFixed(2);
  }

  // ---- readouts ----------------------------------------------------------
  function buildReadouts() {
    var box = $('readouts');
    box.textContent = '';
    READOUTS.forEach(function (name) {
      var r = el('div', 'readout');
      r.dataset.channel = name;
      r.appendChild(el('div', 'label', state.labels[name] || name));
      var line = el('div');
      line.appendChild(el('span', 'value', '-'));
      line.appendChild(el('span', 'unit', shownUnit(name)));
      line.appendChild(el('span', 'trend', ''));
      r.appendChild(line);
      box.appendChild(r);
    });
  }

  // Direction over the last minute of sample time: up, down or steady (within
  // 2 % of the value); empty while there is no earlier value to compare with.
  var TREND_S = 60;
  function trend(w, name) {
    var arr = w && w.ch[name];
    var n = w ? w.t.length : 0;
    if (!arr || n < 2) return '';
    var i = n - 1;
    while (i > 0 && w.t[i - 1] >= w.t[n - 1] - TREND_S) i--;
    var a = arr[i], b = arr[n - 1];
    if (i === n - 1 || a === null || b === null) return '';
    var d = b - a, tol = Math.max(Math.abs(b) * 0.02, 1e-9);
    return d > tol ? '\u25b2' : d < -tol ? '\u25bc' : '\u25b6';
  }

  function showReadouts() {
    var w = state.wells[state.well];
    var s = w && w.last;
    READOUTS.forEach(function (name) {
      var r = document.querySelector('.readout[data-channel="' + name + '"]');
      if (!r) return;
      var v = s && s.ch ? s.ch[name] : undefined;
      r.querySelector('.value').textContent = fmt(shown(name, v));
      var arrow = trend(w, name);
      var t = r.querySelector('.trend');
      t.textContent = arrow;
      t.title = arrow ? 'over the last minute' : '';
      r.classList.toggle('stale', !s || Date.now() - (w.lastAt || 0) > STALE_MS);
    });
    var badge = $('rigstate');
    var rs = w && w.rigState;
    badge.textContent = 'rig state: ' + (rs ? rs.replace(/_/g, ' ') : '-');
    badge.dataset.state = rs || '';
  }

  // ---- charts ------------------------------------------------------------
  function chartWidth(container) {
    return Math.max(300, container.clientWidth - 12);
  }

  function pad2(n) { return (n < 10 ? '0' : '') + n; }

  function timeLabels(u, vals) {
    var span = (u.scales.x.max || 0) - (u.scales.x.min || 0);
    return vals.map(function (v) {
      var d = new Date(v * 1000);
      var hm = pad2(d.getHours()) + ':' + pad2(d.getMinutes());
      if (span > 86400) return pad2(d.getMonth() + 1) + '-' + pad2(d.getDate()) + ' ' + hm;
      return span > 300 ? hm : hm + ':' + pad2(d.getSeconds());
    });
  }

  function makeChart(container, track, height, withBands) {
    var series = [{}];
    var scales = { x: { time: true } };
    // One line of time labels (uPlot's default takes two): the plot keeps the height.
    var axes = [{ stroke: '#8b949e', grid: { stroke: '#2a313c' }, ticks: { stroke: '#2a313c' }, size: 26,
                  values: timeLabels }];
    var seenScales = {};
    track.series.forEach(function (s) {
      var name = s[0], unit = shownUnit(name);
      series.push({ label: (state.labels[name] || name) + (unit ? ' (' + unit + ')' : ''), stroke: s[1], width: 1.5,
                    scale: s[2], value: function (u, v) { return fmt(v); }, spanGaps: false });
      if (withBands) {
        series.push({ label: 'min', stroke: s[1] + '66', width: 1, scale: s[2], show: true });
        series.push({ label: 'max', stroke: s[1] + '66', width: 1, scale: s[2], show: true });
      }
      if (!seenScales[s[2]]) {
        var side = Object.keys(seenScales).length % 2 === 0 ? 3 : 1;
        seenScales[s[2]] = true;
        scales[s[2]] = { auto: true };
        axes.push({ scale: s[2], side: side, stroke: s[1], grid: { show: side === 3, stroke: '#2a313c' },
                    size: 60, values: function (u, vals) { return vals.map(fmt); } });
      }
    });
    var opts = {
      width: chartWidth(container), height: height, series: series, scales: scales, axes: axes,
      cursor: { sync: { key: withBands ? 'rs-history' : 'rs-live' } },
      legend: { live: true }
    };
    if (!withBands) {
      // Live charts: a drag selects a time range that every track keeps while
      // data streams in (redrawLive applies it); uPlot itself does not rescale.
      opts.cursor.drag = { x: true, y: false, setScale: false };
      opts.hooks = { setSelect: [function (u) {
        if (u.select.width > 4)
          zoomLive(u.posToVal(u.select.left, 'x'), u.posToVal(u.select.left + u.select.width, 'x'));
        u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
      }] };
    }
    var data = [[]];
    for (var i = 1; i < series.length; i++) data.push([]);
    return new window.uPlot(opts, data, container);
  }

  function buildCharts(boxId, list, withBands) {
    var box = $(boxId);
    box.textContent = '';
    list.length = 0;
    if (!haveUPlot) {
      $('charts-missing').hidden = false;
      return;
    }
    // Title, legend, padding and gaps take about 58 px of each track.
    var height = Math.max(90, Math.floor((box.clientHeight || 700) / TRACKS.length) - 58);
    TRACKS.forEach(function (track) {
      var div = el('div', 'track');
      div.appendChild(el('div', 'track-title', track.title));
      var holder = el('div');
      div.appendChild(holder);
      box.appendChild(div);
      var chart = makeChart(holder, track, height, withBands);
      list.push({ chart: chart, track: track, holder: holder });
    });
  }

  // Zoom and pan of the live charts: the range stays put while data arrives,
  // until the operator goes back to following live (double-click, Z or Esc).
  function zoomLive(min, max) {
    state.zoom = max > min ? { min: min, max: max } : null;
    $('zoom-note').hidden = !state.zoom;
    redrawLive();
  }

  function panLive(fraction) {
    if (!state.zoom) return;
    var d = (state.zoom.max - state.zoom.min) * fraction;
    zoomLive(state.zoom.min + d, state.zoom.max + d);
  }

  function redrawLive() {
    state.dirty = false;
    if (state.paused) return;
    var w = state.wells[state.well];
    if (!w) return;
    // The right edge is the newest sample: a replay or a sped-up simulator runs on its own clock.
    var nowS = w.t.length ? w.t[w.t.length - 1] : Date.now() / 1000, from = nowS - state.windowS;
    if (state.zoom) {
      from = state.zoom.min;
      nowS = state.zoom.max;
    }
    var start = 0;
    while (start < w.t.length && w.t[start] < from) start++;
    var xs = w.t.slice(start);
    state.charts.forEach(function (c) {
      var data = [xs];
      c.track.series.forEach(function (s) {
        data.push(U.values(unitOf(s[0]), (w.ch[s[0]] || []).slice(start)));
      });
      c.chart.setData(data, false);
      c.chart.setScale('x', { min: from, max: nowS });
    });
  }

  function scheduleRedraw() {
    if (state.dirty) return;
    state.dirty = true;
    window.requestAnimationFrame(function () { redrawLive(); showReadouts(); });
  }

  // ---- data --------------------------------------------------------------
  function wellState(name) {
    var w = state.wells[name];
    if (!w) {
      w = state.wells[name] = { t: [], ch: {}, last: null, lastAt: 0, rigState: null };
      var sel = $('well');
      var opt = el('option', null, name);
      opt.value = name;
      sel.appendChild(opt);
      if (!state.well) selectWell(name);
    }
    return w;
  }

  function addSample(s, historic) {
    var w = wellState(s.well);
    var t = s.ts / 1e6;
    // Keep the buffer in time order: history fills in before live values.
    var n = w.t.length;
    var at = n;
    if (n && t <= w.t[n - 1]) {
      if (!historic) return;
      at = 0;
      while (at < n && w.t[at] < t) at++;
      if (at < n && w.t[at] === t) return;
    }
    w.t.splice(at, 0, t);
    TRACKS.forEach(function (tr) {
      tr.series.forEach(function (sr) {
        var arr = w.ch[sr[0]] || (w.ch[sr[0]] = new Array(n).fill(null));
        var v = s.ch[sr[0]];
        arr.splice(at, 0, v === undefined ? null : v);
      });
    });
    if (w.t.length > MAX_POINTS) {
      var cut = w.t.length - MAX_POINTS;
      w.t.splice(0, cut);
      Object.keys(w.ch).forEach(function (k) { w.ch[k].splice(0, cut); });
    }
    if (at === n) {
      w.last = s;
      w.lastAt = Date.now();
      if (s.ts > state.lastTsUs) state.lastTsUs = s.ts;
    }
    if (s.well === state.well) scheduleRedraw();
  }

  function addHistory(h) {
    for (var i = 0; i < h.ts.length; i++) {
      var ch = {};
      h.channels.forEach(function (name) { ch[name] = h.values[name][i]; });
      addSample({ well: h.well, ts: h.ts[i], ch: ch }, true);
    }
  }

  function setRigState(well, rs) {
    if (!rs) return;
    wellState(well).rigState = rs;
    if (well === state.well) showReadouts();
  }

  // ---- alerts ------------------------------------------------------------
  function alertItem(a) {
    var li = el('li', 'alert ' + (a.severity || 'info') + (a.acked ? ' acked' : ''));
    li.dataset.alertId = a.alert_id;
    li.dataset.type = a.type || '';
    li.dataset.rule = a.rule || '';
    li.dataset.severity = a.severity || '';
    li.dataset.well = a.well || '';
    li.appendChild(el('div', 'msg', a.message || (a.type + (a.rule ? ' ' + a.rule : ''))));
    var when = a.time || '';
    li.appendChild(el('div', 'meta', a.well + ' · ' + (a.severity || '') + ' · ' + (a.state || '') + ' · ' + when +
                                     (a.acked ? ' · acked by ' + (a.acked_by || '') : '')));
    if (!a.acked) {
      var b = el('button', 'ack', 'Acknowledge');
      b.addEventListener('click', function () { ackAlert(a.alert_id); });
      li.appendChild(b);
    }
    return li;
  }

  function isActive(a) { return a.active !== false && a.state !== 'cleared'; }

  function renderAlerts() {
    var lists = [['alerts-active', 'alerts-history'], ['alerts-view-active', 'alerts-view-history']];
    var list = Object.keys(state.alerts).map(function (k) { return state.alerts[k]; });
    list.sort(function (a, b) { return (b.ts || 0) - (a.ts || 0); });
    var n = 0, crit = [];
    lists.forEach(function (ids, i) {
      var active = $(ids[0]), history = $(ids[1]);
      active.textContent = '';
      history.textContent = '';
      list.forEach(function (a) {
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
    var banner = $('crit-banner');
    banner.hidden = crit.length === 0;
    banner.textContent = crit.length ? 'CRITICAL: ' + crit[0].well + ' ' + (crit[0].message || crit[0].type) +
                                       (crit.length > 1 ? ' (+' + (crit.length - 1) + ')' : '') : '';
    document.body.classList.toggle('critical', crit.length > 0);
    state.unackedCritical = crit.length;
  }

  function putAlert(a) {
    if (!a || !a.alert_id) return;
    var old = state.alerts[a.alert_id];
    state.alerts[a.alert_id] = a;
    renderAlerts();
    if (a.severity === 'critical' && isActive(a) && !a.acked && (!old || old.severity !== 'critical')) beep();
  }

  // ---- audible cue (off by default; WebAudio, no sound file) ---------------
  function beep() {
    if (!state.sound || !state.audio) return;
    state.lastBeepAt = Date.now();
    window.rsBeeps = (window.rsBeeps || 0) + 1;
    var ctx = state.audio, t = ctx.currentTime;
    [0, 0.25].forEach(function (d) {
      var osc = ctx.createOscillator(), gain = ctx.createGain();
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

  function toggleSound() {
    state.sound = !state.sound;
    // Created on a click: browsers only let a page make sound after a user gesture.
    if (state.sound && !state.audio && (window.AudioContext || window.webkitAudioContext))
      state.audio = new (window.AudioContext || window.webkitAudioContext)();
    if (state.audio && state.audio.state === 'suspended') state.audio.resume();
    var b = $('sound');
    b.setAttribute('aria-pressed', String(state.sound));
    b.textContent = state.sound ? 'Sound on' : 'Sound off';
    if (state.sound && state.unackedCritical) beep();
  }

  function ackNewest() {
    var list = Object.keys(state.alerts).map(function (k) { return state.alerts[k]; })
      .filter(function (a) { return isActive(a) && !a.acked; });
    list.sort(function (a, b) { return (b.ts || 0) - (a.ts || 0); });
    if (list.length) ackAlert(list[0].alert_id);
  }

  // ---- threshold rules (GET / PUT /api/thresholds, the engine's rules) ----
  var SEVERITIES = ['info', 'warning', 'critical'];

  function ruleStatus(text, bad) {
    var s = $('rules-status');
    s.textContent = text;
    s.style.color = bad ? 'var(--crit)' : '';
  }

  function loadRules() {
    ruleStatus('loading...');
    fetch('api/thresholds').then(function (r) {
      return r.json().then(function (doc) { return { ok: r.ok, doc: doc }; });
    }).then(function (res) {
      if (!res.ok) { ruleStatus(res.doc.error || 'engine not available', true); return; }
      state.rules = res.doc.rules || [];
      state.rulesDirty = false;
      $('rules-file').textContent = res.doc.config_file ? '(' + res.doc.config_file + ')' : '(not saved to a file)';
      renderRules();
      if (!state.rulesSavedAt || Date.now() - state.rulesSavedAt > 3000)
        ruleStatus(state.rules.length + ' rule(s) from the engine');
      else
        ruleStatus('saved: ' + state.rules.length + ' rule(s) in the engine');
    }).catch(function (e) { ruleStatus('failed: ' + e, true); });
  }

  // A number field of a rule. kind 'value' or 'delta': in the channel's unit,
  // shown in the operator's units and stored back in the engine's.
  function numInput(rule, key, label, kind) {
    var i = el('input', 'num');
    i.type = 'number';
    i.step = 'any';
    i.dataset.key = key;
    i.setAttribute('aria-label', label);
    var unit = '';
    // Shows the stored value again, in the unit of the rule's channel now.
    i.refresh = function () {
      unit = kind ? unitOf(rule.channel) : '';
      var v = rule[key];
      if (kind && typeof v === 'number') v = +(kind === 'delta' ? U.delta(unit, v) : U.value(unit, v)).toPrecision(6);
      i.value = v === undefined || v === null ? '' : String(v);
    };
    i.refresh();
    i.addEventListener('input', function () {
      var x = Number(i.value);
      if (i.value === '') delete rule[key];
      else rule[key] = !kind ? x : kind === 'delta' ? U.backDelta(unit, x) : U.back(unit, x);
      if (key === 'min_duration_s') delete rule.clear_duration_s;   // follows min_duration_s unless set in the file
      state.rulesDirty = true;
      ruleStatus('unsaved changes');
    });
    return i;
  }

  function textInput(rule, key, label, list) {
    var i = el('input');
    i.dataset.key = key;
    i.setAttribute('aria-label', label);
    if (list) i.setAttribute('list', list);
    i.value = rule[key] || '';
    i.addEventListener('input', function () {
      if (i.value === '') delete rule[key];
      else rule[key] = i.value;
      state.rulesDirty = true;
      ruleStatus('unsaved changes');
    });
    return i;
  }

  function renderRules() {
    var body = $('rules-body');
    body.textContent = '';
    (state.rules || []).forEach(function (rule, idx) {
      var tr = el('tr');
      tr.dataset.index = idx;
      var cells = [
        textInput(rule, 'name', 'rule name'),
        textInput(rule, 'channel', 'channel', 'channel-names'),
        el('span', 'unit', shownUnit(rule.channel)),
        numInput(rule, 'min', 'minimum', 'value'),
        numInput(rule, 'max', 'maximum', 'value'),
        numInput(rule, 'hysteresis', 'hysteresis', 'delta'),
        numInput(rule, 'min_duration_s', 'hold time, s')
      ];
      var sev = el('select');
      sev.dataset.key = 'severity';
      sev.setAttribute('aria-label', 'severity');
      SEVERITIES.forEach(function (v) { var o = el('option', null, v); o.value = v; sev.appendChild(o); });
      sev.value = rule.severity || 'warning';
      sev.addEventListener('change', function () { rule.severity = sev.value; state.rulesDirty = true; ruleStatus('unsaved changes'); });
      cells.push(sev);
      cells.push(textInput(rule, 'message', 'message'));
      var on = el('input');
      on.type = 'checkbox';
      on.dataset.key = 'enabled';
      on.setAttribute('aria-label', 'enabled');
      on.checked = rule.enabled !== false;
      on.addEventListener('change', function () { rule.enabled = on.checked; state.rulesDirty = true; ruleStatus('unsaved changes'); });
      cells.push(on);
      var del = el('button', 'rule-remove', 'Remove');
      del.type = 'button';
      del.setAttribute('aria-label', 'remove rule ' + (rule.name || idx + 1));
      del.addEventListener('click', function () {
        state.rules.splice(idx, 1);
        state.rulesDirty = true;
        renderRules();
        ruleStatus('unsaved changes');
      });
      cells.push(del);
      // Another channel may have another unit: show its bounds in it.
      cells[1].addEventListener('change', function () {
        cells[2].textContent = shownUnit(rule.channel);
        cells.slice(3, 6).forEach(function (n) { n.refresh(); });
      });
      cells.forEach(function (c) { var td = el('td'); td.appendChild(c); tr.appendChild(td); });
      body.appendChild(tr);
    });
  }

  function addRule() {
    if (!state.rules) state.rules = [];
    state.rules.push({ channel: '', severity: 'warning', enabled: true });
    state.rulesDirty = true;
    renderRules();
    var rows = $('rules-body').querySelectorAll('tr');
    rows[rows.length - 1].querySelector('input[data-key="name"]').focus();
  }

  function saveRules() {
    if (!state.rules) return;
    // Unset fields are left out: the engine fills in its defaults (name from channel and bound...).
    var rules = state.rules.map(function (r) {
      var o = {};
      Object.keys(r).forEach(function (k) {
        var v = r[k];
        if (v === null || v === undefined || v === '' || (typeof v === 'number' && !isFinite(v))) return;
        if (Array.isArray(v) && !v.length) return;
        o[k] = v;
      });
      return o;
    });
    ruleStatus('saving...');
    fetch('api/thresholds', { method: 'PUT', headers: { 'Content-Type': 'application/json' },
                              body: JSON.stringify({ rules: rules }) }).then(function (r) {
      return r.json().then(function (doc) { return { ok: r.ok, doc: doc }; });
    }).then(function (res) {
      if (!res.ok || !res.doc.ok) { ruleStatus('refused: ' + (res.doc.error || 'failed'), true); return; }
      loadRules();
      // loadRules overwrites the status when it answers; say what happened first.
      ruleStatus('saved: ' + res.doc.rules + ' rule(s)' + (res.doc.saved ? ', written to the file' : ''));
      state.rulesSavedAt = Date.now();
    }).catch(function (e) { ruleStatus('failed: ' + e, true); });
  }

  function loadAlerts() {
    fetch('api/alerts').then(function (r) { return r.json(); }).then(function (doc) {
      state.alerts = {};
      (doc.history || []).concat(doc.active || []).forEach(function (a) { state.alerts[a.alert_id] = a; });
      renderAlerts();
    }).catch(function () {});
  }

  function ackAlert(id) {
    fetch('api/alerts/' + encodeURIComponent(id) + '/ack', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ by: 'operator' })
    }).then(function (r) { return r.json(); }).then(function (a) { if (a.alert_id) putAlert(a); }).catch(function () {});
  }

  // ---- connection --------------------------------------------------------
  function setConn(s, text) {
    var c = $('conn');
    c.dataset.state = s;
    c.textContent = text || s;
  }

  function onMessage(ev) {
    state.lastMsgAt = Date.now();
    if ($('conn').dataset.state !== 'live') setConn('live');
    var m;
    try { m = JSON.parse(ev.data); } catch (e) { return; }
    switch (m.type) {
      case 'sample': addSample(m, !!m.replayed); break;
      case 'history': addHistory(m); break;
      case 'kpi':
        setRigState(m.well, m.rig_state || m.state);
        wellState(m.well).kpi = m;
        if (m.well === state.well && state.view === 'analytics') showKpis();
        break;
      case 'event': if (m.event === 'rig_state') setRigState(m.well, m.state); break;
      case 'alert':
        // On the wire "type" is the message's; the alert's own (kick, threshold...) is alert_type.
        m.type = m.alert_type;
        delete m.alert_type;
        putAlert(m);
        break;
      case 'ack': putAlert(m.alert); break;
      case 'dropped': $('stats').textContent = 'server skipped ' + m.count + ' updates (slow link)'; break;
      default: break;
    }
  }

  function connect() {
    setConn('connecting');
    var proto = location.protocol === 'https:' ? 'wss://' : 'ws://';
    var ws;
    try { ws = new WebSocket(proto + location.host + '/ws'); } catch (e) { retry(); return; }
    state.ws = ws;
    ws.onopen = function () {
      state.retryMs = 1000;
      setConn('live');
      var sub = { type: 'subscribe', max_rate_hz: 2 };
      // After a reconnect, ask for what was missed (from the recorded history).
      if (state.lastTsUs) sub.since = state.lastTsUs + 1;
      ws.send(JSON.stringify(sub));
      loadAlerts();
    };
    ws.onmessage = onMessage;
    ws.onclose = function () { state.ws = null; retry(); };
    ws.onerror = function () { try { ws.close(); } catch (e) { /* closed already */ } };
  }

  function retry() {
    var s = Math.round(state.retryMs / 1000);
    setConn('offline', 'offline: retry in ' + s + ' s');
    setTimeout(connect, state.retryMs);
    state.retryMs = Math.min(state.retryMs * 2, 8000);
  }

  setInterval(function () {
    if (state.ws && state.ws.readyState === 1 && Date.now() - state.lastMsgAt > STALE_MS)
      setConn('stale', 'no data');
    showReadouts();
  }, 1000);

  // ---- history view ------------------------------------------------------
  // The range a form asks for, in µs: a span back from now, everything the database holds for the well, or
  // the from / to fields. Resolves to {from, to}, or rejects with a message.
  function rangeOf(prefix) {
    var v = $(prefix + '-range').value;
    if (v === 'custom') {
      var f = Date.parse($(prefix + '-from').value), t = Date.parse($(prefix + '-to').value);
      if (!isFinite(f) || !isFinite(t) || t <= f) return Promise.reject(new Error('from / to: give both, from before to'));
      return Promise.resolve({ from: f * 1000, to: t * 1000 });
    }
    if (v === 'all') {
      return fetch('api/wells').then(function (r) { return r.json(); }).then(function (doc) {
        var w = (doc.wells || []).filter(function (x) { return x.well === state.well; })[0];
        if (!w || !w.history || !w.history.samples) throw new Error('nothing recorded for ' + state.well);
        return { from: w.history.first_ts, to: w.history.last_ts + 1 };
      });
    }
    var to = Date.now() * 1000;
    return Promise.resolve({ from: to - Number(v) * 1e6, to: to });
  }

  function toLocalInput(us) {
    var d = new Date(us / 1000);
    d = new Date(d.getTime() - d.getTimezoneOffset() * 60000);
    return d.toISOString().slice(0, 19);
  }

  function rangeChanged(prefix) {
    var custom = $(prefix + '-range').value === 'custom';
    $(prefix + '-form').classList.toggle('custom', custom);
    if (custom && !$(prefix + '-from').value) {
      var now = Date.now() * 1000;
      $(prefix + '-from').value = toLocalInput(now - 3600e6);
      $(prefix + '-to').value = toLocalInput(now);
    }
  }

  function historyParams(range, chans) {
    return 'well=' + encodeURIComponent(state.well || '') + '&from=' + Math.floor(range.from) +
           '&to=' + Math.floor(range.to) + '&channels=' + chans.join(',');
  }

  function fetchHistory(range, chans, points) {
    return fetch('api/history?' + historyParams(range, chans) + '&points=' + points).then(function (r) {
      return r.json().then(function (doc) {
        if (!r.ok) throw new Error(doc.error || 'failed');
        return doc;
      });
    });
  }

  function loadHistory() {
    if (!state.well) return;
    var status = $('history-status');
    var points = Math.max(100, Math.min(2000, ($('history-tracks').clientWidth || 1000)));
    var chans = [];
    TRACKS.forEach(function (t) { t.series.forEach(function (s) { chans.push(s[0]); }); });
    status.textContent = 'loading...';
    rangeOf('history').then(function (range) {
      $('history-export').href = 'api/export.csv?' + historyParams(range, chans);
      return fetch('api/history?' + historyParams(range, chans) + '&points=' + points);
    }).then(function (r) {
      return r.json().then(function (doc) { return { ok: r.ok, doc: doc }; });
    }).then(function (res) {
      if (!res.ok) { status.textContent = res.doc.error || 'failed'; return; }
      var doc = res.doc;
      status.textContent = doc.points + ' points from ' + doc.source + ' (bucket ' + (doc.width_us / 1e6) + ' s)';
      $('history-tracks').dataset.points = String(doc.points);
      if (!state.historyCharts.length) buildCharts('history-tracks', state.historyCharts, true);
      var xs = doc.t.map(function (t) { return t / 1e6; });
      state.historyCharts.forEach(function (c) {
        var data = [xs];
        c.track.series.forEach(function (s) {
          var ch = doc.channels[s[0]] || { mean: [], min: [], max: [] }, u = unitOf(s[0]);
          data.push(U.values(u, ch.mean), U.values(u, ch.min), U.values(u, ch.max));
        });
        c.chart.setData(data);
      });
    }).catch(function (e) { status.textContent = 'failed: ' + e; });
  }

  // ---- analytics view: KPIs, rig-state time, crossplot, depth ----------------
  var KPIS = [
    ['mse_stand_ratio', 'MSE / stand best', ''], ['ccs_mse_ratio', 'CCS / MSE', ''], ['mse_mpa', 'MSE', 'MPa'],
    ['mse_avg5m_mpa', 'MSE 5 min', 'MPa'],
    ['rop_stand', 'ROP this stand', 'm/h'], ['rop_avg5m', 'ROP 5 min', 'm/h'], ['rop_avg15m', 'ROP 15 min', 'm/h'],
    ['wob_avg5m', 'WOB 5 min', 'kN'], ['wob_avg15m', 'WOB 15 min', 'kN'], ['rpm_avg5m', 'RPM 5 min', 'rpm'],
    ['rpm_avg15m', 'RPM 15 min', 'rpm'], ['torque_avg5m', 'Torque 5 min', 'kN.m'], ['torque_avg15m', 'Torque 15 min', 'kN.m'],
    ['spp_avg5m', 'SPP 5 min', 'bar'], ['spp_avg15m', 'SPP 15 min', 'bar'], ['flow_in_avg5m', 'Flow in 5 min', 'L/min'],
    ['flow_in_avg15m', 'Flow in 15 min', 'L/min'], ['rop_next_stand', 'ROP next stand', 'm/h'], ['flow_balance', 'Flow balance', 'L/min']
  ];
  var KPI_UNITS = {};
  KPIS.forEach(function (d) { KPI_UNITS[d[0]] = d[2]; });
  var STATE_COLOURS = { rotary: '#1f6feb', sliding: '#58a6ff', connection: '#d29922', other: '#484f58' };

  function showKpis() {
    var w = state.wells[state.well], k = w && w.kpi, v = (k && k.values) || {};
    var box = $('kpis');
    if (!box.childNodes.length) {
      KPIS.forEach(function (d) {
        var t = el('div', 'kpi');
        t.dataset.kpi = d[0];
        t.appendChild(el('div', 'label', d[1]));
        var line = el('div');
        line.appendChild(el('span', 'value', '-'));
        line.appendChild(el('span', 'unit', ''));
        t.appendChild(line);
        box.appendChild(t);
      });
    }
    KPIS.forEach(function (d) {
      var tile = box.querySelector('[data-kpi="' + d[0] + '"]');
      tile.querySelector('.value').textContent = fmt(U.value(d[2], v[d[0]]));
      tile.querySelector('.unit').textContent = U.unit(d[2]);
    });
    $('kpi-time').textContent = k ? (k.time || '') : 'no KPIs from the engine yet';
    var onb = v.on_bottom_pct, conn = v.connection_pct;
    var parts = [];
    if (isFinite(onb) && onb !== null) {
      var rot = isFinite(v.rotary_pct) && v.rotary_pct !== null ? v.rotary_pct : 100;
      parts.push(['rotary', onb * rot / 100, 'drilling rotary'], ['sliding', onb * (100 - rot) / 100, 'drilling sliding']);
    }
    if (isFinite(conn) && conn !== null) parts.push(['connection', conn, 'connections']);
    var used = parts.reduce(function (a, p) { return a + p[1]; }, 0);
    if (parts.length) parts.push(['other', Math.max(0, 100 - used), 'other (trips, off bottom...)']);
    var bar = $('breakdown'), legend = $('breakdown-legend');
    bar.textContent = '';
    legend.textContent = '';
    parts.forEach(function (p) {
      var d = el('div');
      d.style.width = p[1] + '%';
      d.style.background = STATE_COLOURS[p[0]];
      d.title = p[2] + ' ' + p[1].toFixed(1) + '%';
      bar.appendChild(d);
      var l = el('div');
      var sw = el('span', 'sw');
      sw.style.background = STATE_COLOURS[p[0]];
      l.appendChild(sw);
      l.appendChild(document.createTextNode(p[2] + ': ' + p[1].toFixed(1) + '%'));
      legend.appendChild(l);
    });
    var extra = [];
    if (v.circulating_pct !== undefined && v.circulating_pct !== null) extra.push('circulating ' + fmt(v.circulating_pct) + '%');
    if (v.connections !== undefined && v.connections !== null) extra.push(v.connections + ' connections');
    if (v.connection_avg_s !== undefined && v.connection_avg_s !== null) extra.push('mean ' + fmt(v.connection_avg_s) + ' s');
    if (extra.length) legend.appendChild(el('div', 'status', extra.join(' · ')));
  }

  // A canvas sized to its box in device pixels; returns [ctx, width, height] in CSS pixels.
  function canvasOf(id) {
    var box = $(id), c = box.querySelector('canvas');
    var w = Math.max(200, box.clientWidth), h = Math.max(200, box.clientHeight), r = window.devicePixelRatio || 1;
    c.width = Math.round(w * r);
    c.height = Math.round(h * r);
    var ctx = c.getContext('2d');
    ctx.setTransform(r, 0, 0, r, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.font = '12px "DejaVu Sans", sans-serif';
    return [ctx, w, h];
  }

  function extent(a) {
    var lo = Infinity, hi = -Infinity;
    a.forEach(function (v) { if (v < lo) lo = v; if (v > hi) hi = v; });
    if (lo === hi) { lo -= 1; hi += 1; }
    return [lo, hi];
  }

  // Blue (low) to yellow (high), readable on the dark background.
  function ramp(f) {
    var stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
    f = Math.max(0, Math.min(1, f)) * (stops.length - 1);
    var i = Math.min(stops.length - 2, Math.floor(f)), g = f - i;
    var c = stops[i].map(function (v, j) { return Math.round(v + (stops[i + 1][j] - v) * g); });
    return 'rgb(' + c.join(',') + ')';
  }

  function drawCrossplot(doc) {
    var cv = canvasOf('crossplot'), ctx = cv[0], W = cv[1], H = cv[2];
    var ch = doc.channels, pts = [];
    for (var i = 0; i < doc.t.length; i++) {
      var x = ch.wob && shown('wob', ch.wob.mean[i]), y = ch.rop && shown('rop', ch.rop.mean[i]);
      var c = ch.rpm && ch.rpm.mean[i];
      if (x > 0 && y > 0 && c !== null && isFinite(c)) pts.push([x, y, c]);
    }
    $('crossplot').dataset.points = String(pts.length);
    var L = 60, R = 70, T = 10, B = 40;
    ctx.strokeStyle = '#2a313c';
    ctx.strokeRect(L, T, W - L - R, H - T - B);
    ctx.fillStyle = '#8b949e';
    if (!pts.length) { ctx.fillText('no drilling (WOB and ROP above 0) in this range', L + 10, T + 20); return; }
    var xs = extent(pts.map(function (p) { return p[0]; })), ys = extent(pts.map(function (p) { return p[1]; }));
    var cs = extent(pts.map(function (p) { return p[2]; }));
    function px(v) { return L + (v - xs[0]) / (xs[1] - xs[0]) * (W - L - R); }
    function py(v) { return H - B - (v - ys[0]) / (ys[1] - ys[0]) * (H - T - B); }
    for (var k = 0; k <= 4; k++) {
      var fx = xs[0] + (xs[1] - xs[0]) * k / 4, fy = ys[0] + (ys[1] - ys[0]) * k / 4;
      ctx.fillText(fmt(fx), px(fx) - 12, H - B + 16);
      ctx.fillText(fmt(fy), 8, py(fy) + 4);
    }
    ctx.fillText('WOB (' + shownUnit('wob') + ')', W / 2 - 30, H - 6);
    ctx.fillText('ROP (' + shownUnit('rop') + ')', L + 6, T + 14);
    pts.forEach(function (p) {
      ctx.fillStyle = ramp((p[2] - cs[0]) / (cs[1] - cs[0]));
      ctx.beginPath();
      ctx.arc(px(p[0]), py(p[1]), 2.5, 0, 2 * Math.PI);
      ctx.fill();
    });
    // Colour scale
    for (var s = 0; s < 100; s++) {
      ctx.fillStyle = ramp(s / 99);
      ctx.fillRect(W - R + 20, H - B - (s + 1) * (H - T - B) / 100, 14, (H - T - B) / 100 + 1);
    }
    ctx.fillStyle = '#8b949e';
    ctx.fillText(fmt(cs[1]), W - R + 36, T + 10);
    ctx.fillText(fmt(cs[0]), W - R + 36, H - B);
    ctx.fillText('RPM', W - R + 18, H - B + 16);
  }

  var DEPTH_TRACKS = [['rop', '#7ee787'], ['wob', '#f0883e'], ['rpm', '#3fb950'], ['torque', '#d2a8ff'],
                      ['spp', '#ff7b72'], ['gas', '#a5d6ff']];

  function drawDepth(doc) {
    var cv = canvasOf('depthplot'), ctx = cv[0], W = cv[1], H = cv[2];
    // On bottom: the bit within 1 m of the hole bottom, judged in stored units (m).
    var ch = doc.channels, raw = (ch.bit_depth || {}).mean || [], hole = (ch.hole_depth || {}).mean || [];
    var bit = U.values(unitOf('bit_depth'), raw);
    var rows = [];
    for (var i = 0; i < doc.t.length; i++)
      if (raw[i] !== null && hole[i] !== null && isFinite(raw[i]) && hole[i] - raw[i] < 1) rows.push(i);
    $('depthplot').dataset.points = String(rows.length);
    var L = 60, T = 24, B = 10, gap = 8, n = DEPTH_TRACKS.length, tw = (W - L - gap * n) / n;
    ctx.fillStyle = '#8b949e';
    if (!rows.length) { ctx.fillText('no samples on bottom in this range', L, T + 20); return; }
    rows.sort(function (a, b) { return bit[a] - bit[b]; });
    var ds = extent(rows.map(function (i) { return bit[i]; }));
    function py(d) { return T + (d - ds[0]) / (ds[1] - ds[0]) * (H - T - B); }
    var digits = ds[1] - ds[0] < 0.5 ? 3 : ds[1] - ds[0] < 5 ? 2 : 1;
    for (var k = 0; k <= 5; k++) {
      var d = ds[0] + (ds[1] - ds[0]) * k / 5;
      ctx.fillText(d.toFixed(digits), 4, py(d) + 4, L - 6);
    }
    ctx.fillText(shownUnit('bit_depth'), 4, T - 8);
    DEPTH_TRACKS.forEach(function (tr, j) {
      var x0 = L + j * (tw + gap), vals = U.values(unitOf(tr[0]), (ch[tr[0]] || {}).mean || []);
      var good = rows.filter(function (i) { return vals[i] !== null && isFinite(vals[i]); });
      ctx.strokeStyle = '#2a313c';
      ctx.strokeRect(x0, T, tw, H - T - B);
      ctx.fillStyle = tr[1];
      ctx.fillText(tr[0].toUpperCase(), x0 + 2, T - 8, tw - 4);
      if (!good.length) return;
      var xs = extent(good.map(function (i) { return vals[i]; }));
      ctx.fillStyle = '#8b949e';
      ctx.fillText(fmt(xs[0]) + ' - ' + fmt(xs[1]), x0 + 2, H - B - 4, tw - 4);
      ctx.strokeStyle = tr[1];
      ctx.lineWidth = 1.2;
      ctx.beginPath();
      good.forEach(function (i, k) {
        var x = x0 + (vals[i] - xs[0]) / (xs[1] - xs[0]) * tw, y = py(bit[i]);
        if (k) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      });
      ctx.stroke();
    });
  }

  function loadAnalytics() {
    showKpis();
    if (!state.well) return;
    var status = $('analytics-status');
    status.textContent = 'loading...';
    rangeOf('analytics').then(function (range) {
      return fetchHistory(range, ['rop', 'wob', 'rpm', 'torque', 'spp', 'gas', 'bit_depth', 'hole_depth'], 2000);
    }).then(function (doc) {
      status.textContent = doc.points + ' points from ' + doc.source + ' (bucket ' + (doc.width_us / 1e6) + ' s)';
      state.analyticsDoc = doc;
      drawCrossplot(doc);
      drawDepth(doc);
    }).catch(function (e) { status.textContent = 'failed: ' + e.message; });
  }

  // ---- controls ----------------------------------------------------------
  function selectWell(name) {
    state.well = name;
    $('well').value = name;
    if (state.view === 'analytics') loadAnalytics();
    showReadouts();
    scheduleRedraw();
  }

  function showView(name) {
    state.view = name;
    document.querySelectorAll('.tab').forEach(function (t) {
      t.classList.toggle('active', t.dataset.view === name);
      t.setAttribute('aria-selected', String(t.dataset.view === name));
    });
    $('view-live').hidden = name !== 'live';
    $('view-history').hidden = name !== 'history';
    $('view-alerts').hidden = name !== 'alerts';
    $('view-analytics').hidden = name !== 'analytics';
    resizeCharts();
    if (name === 'history') loadHistory();
    if (name === 'analytics') loadAnalytics();
    if (name === 'alerts' && !state.rulesDirty) loadRules();
  }

  function showUnitsButton() {
    $('units').textContent = 'Units: ' + U.system();
  }

  // Everything that shows a value or a unit is drawn again in the new units.
  function unitsChanged() {
    showUnitsButton();
    buildReadouts();
    buildCharts('tracks', state.charts, false);
    state.historyCharts.length = 0;
    $('history-tracks').textContent = '';
    scheduleRedraw();
    if (state.view === 'history') loadHistory();
    if (state.view === 'analytics') {
      showKpis();
      if (state.analyticsDoc) { drawCrossplot(state.analyticsDoc); drawDepth(state.analyticsDoc); }
    }
    if (state.rules) renderRules();
  }

  function toggleUnits() {
    U.set(U.system() === 'metric' ? 'imperial' : 'metric');
  }

  // Charts built while their view was hidden (a change of units) had no width to fit.
  function resizeCharts() {
    state.charts.concat(state.historyCharts).forEach(function (c) {
      if (c.holder.clientWidth) c.chart.setSize({ width: chartWidth(c.holder), height: c.chart.height });
    });
  }

  function togglePause() {
    state.paused = !state.paused;
    var b = $('pause');
    b.setAttribute('aria-pressed', String(state.paused));
    b.textContent = state.paused ? 'Resume' : 'Pause';
    scheduleRedraw();
  }

  function nextWell() {
    var names = Object.keys(state.wells).sort();
    if (!names.length) return;
    selectWell(names[(names.indexOf(state.well) + 1) % names.length]);
  }

  function onKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target, tag = t && t.tagName;
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || (t && t.isContentEditable)) return;
    var help = $('help');
    if (help.open && e.key !== '?') return;
    var k = e.key;
    if (k === '1') showView('live');
    else if (k === '2') showView('history');
    else if (k === '3') showView('analytics');
    else if (k === '4') showView('alerts');
    else if (k === 'p' || k === 'P' || (k === ' ' && tag !== 'BUTTON' && tag !== 'A')) togglePause();
    else if (k === 'w' || k === 'W') nextWell();
    else if (k === 'z' || k === 'Z' || (k === 'Escape' && state.zoom)) zoomLive(0, 0);
    else if (k === 'ArrowLeft' && state.zoom) panLive(-0.25);
    else if (k === 'ArrowRight' && state.zoom) panLive(0.25);
    else if (k === 'a' || k === 'A') ackNewest();
    else if (k === 's' || k === 'S') toggleSound();
    else if (k === 'u' || k === 'U') toggleUnits();
    else if (k === '?') { if (help.open) help.close(); else help.showModal(); }
    else return;
    e.preventDefault();
  }

  function init() {
    $('well').addEventListener('change', function (e) { selectWell(e.target.value); });
    $('window').addEventListener('change', function (e) { state.windowS = Number(e.target.value); scheduleRedraw(); });
    $('pause').addEventListener('click', togglePause);
    $('sound').addEventListener('click', toggleSound);
    $('units').addEventListener('click', toggleUnits);
    U.onChange(unitsChanged);
    $('help-button').addEventListener('click', function () { $('help').showModal(); });
    $('rule-add').addEventListener('click', addRule);
    $('rules-save').addEventListener('click', saveRules);
    $('rules-reload').addEventListener('click', loadRules);
    document.addEventListener('keydown', onKey);
    $('tracks').addEventListener('dblclick', function () { zoomLive(0, 0); });
    // For tests and the curious: the live charts' zoom, and the time range
    // the first live chart shows.
    window.rigstreamZoom = function () { return state.zoom; };
    window.rigstreamLiveRange = function () {
      var c = state.charts[0] && state.charts[0].chart;
      return c ? [c.scales.x.min, c.scales.x.max] : null;
    };
    // While a critical alert waits for acknowledgement, the beep repeats every 10 s.
    setInterval(function () {
      if (state.sound && state.unackedCritical && Date.now() - state.lastBeepAt >= 10000) beep();
    }, 1000);
    document.querySelectorAll('.tab').forEach(function (t) {
      t.addEventListener('click', function () { showView(t.dataset.view); });
    });
    $('history-form').addEventListener('submit', function (e) { e.preventDefault(); loadHistory(); });
    $('analytics-form').addEventListener('submit', function (e) { e.preventDefault(); loadAnalytics(); });
    ['history', 'analytics'].forEach(function (p) {
      $(p + '-range').addEventListener('change', function () { rangeChanged(p); });
    });
    window.addEventListener('resize', function () {
      resizeCharts();
      if (state.view === 'analytics' && state.analyticsDoc) {
        drawCrossplot(state.analyticsDoc);
        drawDepth(state.analyticsDoc);
      }
    });
    fetch('api/channels').then(function (r) { return r.json(); }).then(function (doc) {
      var dl = $('channel-names');
      U.configure(doc.units);
      showUnitsButton();
      doc.channels.forEach(function (c) {
        state.units[c.name] = c.unit; state.labels[c.name] = c.label;
        var o = el('option');
        o.value = c.name;
        o.label = c.label + ' (' + c.unit + ')';
        dl.appendChild(o);
      });
    }).catch(function () {}).then(function () {
      buildReadouts();
      buildCharts('tracks', state.charts, false);
      return fetch('api/wells').then(function (r) { return r.json(); }).then(function (doc) {
        doc.wells.forEach(function (w) { wellState(w.well); if (w.rig_state) setRigState(w.well, w.rig_state); });
      }).catch(function () {});
    }).then(connect);
  }

  init();
})();
