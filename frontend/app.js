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
    ws: null, retryMs: 1000, lastMsgAt: 0, lastTsUs: 0,
    charts: [], historyCharts: [],
    alerts: {},                     // alert_id -> alert
    dirty: false
  };
  var haveUPlot = typeof window.uPlot === 'function';

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

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
      line.appendChild(el('span', 'unit', state.units[name] || ''));
      r.appendChild(line);
      box.appendChild(r);
    });
  }

  function showReadouts() {
    var w = state.wells[state.well];
    var s = w && w.last;
    READOUTS.forEach(function (name) {
      var r = document.querySelector('.readout[data-channel="' + name + '"]');
      if (!r) return;
      var v = s && s.ch ? s.ch[name] : undefined;
      r.querySelector('.value').textContent = fmt(v);
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

  function makeChart(container, track, height, withBands) {
    var series = [{}];
    var scales = { x: { time: true } };
    var axes = [{ stroke: '#8b949e', grid: { stroke: '#2a313c' }, ticks: { stroke: '#2a313c' } }];
    var seenScales = {};
    track.series.forEach(function (s) {
      var name = s[0], unit = state.units[name] || '';
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
    // Title and legend take about 60 px of each track.
    var height = Math.max(80, Math.floor((box.clientHeight || 700) / TRACKS.length) - 62);
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

  function redrawLive() {
    state.dirty = false;
    if (state.paused) return;
    var w = state.wells[state.well];
    if (!w) return;
    var nowS = Date.now() / 1000, from = nowS - state.windowS;
    var start = 0;
    while (start < w.t.length && w.t[start] < from) start++;
    var xs = w.t.slice(start);
    state.charts.forEach(function (c) {
      var data = [xs];
      c.track.series.forEach(function (s) {
        data.push((w.ch[s[0]] || []).slice(start));
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

  function renderAlerts() {
    var active = $('alerts-active'), history = $('alerts-history');
    active.textContent = '';
    history.textContent = '';
    var list = Object.keys(state.alerts).map(function (k) { return state.alerts[k]; });
    list.sort(function (a, b) { return (b.ts || 0) - (a.ts || 0); });
    var n = 0;
    list.forEach(function (a) {
      if (a.active !== false) { active.appendChild(alertItem(a)); n++; }
      else history.appendChild(alertItem(a));
    });
    $('alert-count').textContent = String(n);
  }

  function putAlert(a) {
    if (!a || !a.alert_id) return;
    state.alerts[a.alert_id] = a;
    renderAlerts();
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
      case 'kpi': setRigState(m.well, m.rig_state || m.state); break;
      case 'event': if (m.event === 'rig_state') setRigState(m.well, m.state); break;
      case 'alert': putAlert(m); break;
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
  function historyParams() {
    var to = Date.now() * 1000, from = to - Number($('history-range').value) * 1e6;
    var chans = [];
    TRACKS.forEach(function (t) { t.series.forEach(function (s) { chans.push(s[0]); }); });
    return 'well=' + encodeURIComponent(state.well || '') + '&from=' + Math.floor(from) + '&to=' + Math.floor(to) +
           '&channels=' + chans.join(',');
  }

  function loadHistory() {
    if (!state.well) return;
    var status = $('history-status');
    var points = Math.max(100, Math.min(2000, ($('history-tracks').clientWidth || 1000)));
    $('history-export').href = 'api/export.csv?' + historyParams();
    status.textContent = 'loading...';
    fetch('api/history?' + historyParams() + '&points=' + points).then(function (r) {
      return r.json().then(function (doc) { return { ok: r.ok, doc: doc }; });
    }).then(function (res) {
      if (!res.ok) { status.textContent = res.doc.error || 'failed'; return; }
      var doc = res.doc;
      status.textContent = doc.points + ' points from ' + doc.source + ' (bucket ' + (doc.width_us / 1e6) + ' s)';
      if (!state.historyCharts.length) buildCharts('history-tracks', state.historyCharts, true);
      var xs = doc.t.map(function (t) { return t / 1e6; });
      state.historyCharts.forEach(function (c) {
        var data = [xs];
        c.track.series.forEach(function (s) {
          var ch = doc.channels[s[0]] || { mean: [], min: [], max: [] };
          data.push(ch.mean, ch.min, ch.max);
        });
        c.chart.setData(data);
      });
    }).catch(function (e) { status.textContent = 'failed: ' + e; });
  }

  // ---- controls ----------------------------------------------------------
  function selectWell(name) {
    state.well = name;
    $('well').value = name;
    showReadouts();
    scheduleRedraw();
  }

  function showView(name) {
    document.querySelectorAll('.tab').forEach(function (t) { t.classList.toggle('active', t.dataset.view === name); });
    $('view-live').hidden = name !== 'live';
    $('view-history').hidden = name !== 'history';
    if (name === 'history') loadHistory();
  }

  function init() {
    $('well').addEventListener('change', function (e) { selectWell(e.target.value); });
    $('window').addEventListener('change', function (e) { state.windowS = Number(e.target.value); scheduleRedraw(); });
    $('pause').addEventListener('click', function () {
      state.paused = !state.paused;
      this.setAttribute('aria-pressed', String(state.paused));
      this.textContent = state.paused ? 'Resume' : 'Pause';
      scheduleRedraw();
    });
    document.querySelectorAll('.tab').forEach(function (t) {
      t.addEventListener('click', function () { showView(t.dataset.view); });
    });
    $('history-form').addEventListener('submit', function (e) { e.preventDefault(); loadHistory(); });
    window.addEventListener('resize', function () {
      state.charts.concat(state.historyCharts).forEach(function (c) {
        c.chart.setSize({ width: chartWidth(c.holder), height: c.chart.height });
      });
    });
    fetch('api/channels').then(function (r) { return r.json(); }).then(function (doc) {
      doc.channels.forEach(function (c) { state.units[c.name] = c.unit; state.labels[c.name] = c.label; });
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
