/* rigstream dashboard: the strip charts (uPlot, served from vendor/), for the live view and the history view.
   Six tracks; a channel's values are drawn in the operator's units. */
import { $, el } from './dom.js';
import * as units from './units.js';

export const TRACKS = [
  { title: 'Hook load / WOB', series: [['hook_load', '#58a6ff', 'kn'], ['wob', '#f0883e', 'kn']] },
  { title: 'RPM / Torque', series: [['rpm', '#3fb950', 'rpm'], ['torque', '#d2a8ff', 'torque']] },
  { title: 'SPP / Flow in / Flow out', series: [['spp', '#ff7b72', 'bar'], ['flow_in', '#79c0ff', 'flow'], ['flow_out', '#56d364', 'flow']] },
  { title: 'Pit volume / Pit gain', series: [['pit_volume', '#e3b341', 'vol'], ['pit_gain', '#ff9bce', 'gain']] },
  { title: 'Gas', series: [['gas', '#a5d6ff', 'gas']] },
  { title: 'ROP', series: [['rop', '#7ee787', 'rop']] }
];

// Every channel the tracks show.
export function trackChannels() {
  const chans = [];
  TRACKS.forEach((t) => { t.series.forEach((s) => { chans.push(s[0]); }); });
  return chans;
}

const haveUPlot = typeof window.uPlot === 'function';

export function chartWidth(container) {
  return Math.max(300, container.clientWidth - 12);
}

function pad2(n) { return (n < 10 ? '0' : '') + n; }

function timeLabels(u, vals) {
  const span = (u.scales.x.max || 0) - (u.scales.x.min || 0);
  return vals.map((v) => {
    const d = new Date(v * 1000);
    const hm = pad2(d.getHours()) + ':' + pad2(d.getMinutes());
    if (span > 86400) return pad2(d.getMonth() + 1) + '-' + pad2(d.getDate()) + ' ' + hm;
    return span > 300 ? hm : hm + ':' + pad2(d.getSeconds());
  });
}

// onSelect(min, max): live charts only, a drag across the chart (in s).
function makeChart(container, track, height, withBands, onSelect) {
  const series = [{}];
  const scales = { x: { time: true } };
  // One line of time labels (uPlot's default takes two): the plot keeps the height.
  const axes = [{ stroke: '#8b949e', grid: { stroke: '#2a313c' }, ticks: { stroke: '#2a313c' }, size: 26,
                  values: timeLabels }];
  const seenScales = {};
  track.series.forEach((s) => {
    const name = s[0], unit = units.shownUnit(name);
    series.push({ label: units.label(name) + (unit ? ' (' + unit + ')' : ''), stroke: s[1], width: 1.5,
                  scale: s[2], value: (u, v) => units.fmt(v), spanGaps: false });
    if (withBands) {
      series.push({ label: 'min', stroke: s[1] + '66', width: 1, scale: s[2], show: true });
      series.push({ label: 'max', stroke: s[1] + '66', width: 1, scale: s[2], show: true });
    }
    if (!seenScales[s[2]]) {
      const side = Object.keys(seenScales).length % 2 === 0 ? 3 : 1;
      seenScales[s[2]] = true;
      scales[s[2]] = { auto: true };
      axes.push({ scale: s[2], side: side, stroke: s[1], grid: { show: side === 3, stroke: '#2a313c' },
                  size: 60, values: (u, vals) => vals.map(units.fmt) });
    }
  });
  const opts = {
    width: chartWidth(container), height: height, series: series, scales: scales, axes: axes,
    cursor: { sync: { key: withBands ? 'rs-history' : 'rs-live' } },
    legend: { live: true }
  };
  if (!withBands) {
    // Live charts: a drag selects a time range that every track keeps while data streams in (live.js applies
    // it); uPlot itself does not rescale.
    opts.cursor.drag = { x: true, y: false, setScale: false };
    opts.hooks = { setSelect: [(u) => {
      if (u.select.width > 4 && onSelect)
        onSelect(u.posToVal(u.select.left, 'x'), u.posToVal(u.select.left + u.select.width, 'x'));
      u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    }] };
  }
  const data = [[]];
  for (let i = 1; i < series.length; i++) data.push([]);
  return new window.uPlot(opts, data, container);
}

// Builds one chart per track in #boxId into `list` (emptied first): [{ chart, track, holder }]. withBands: the
// history's min / max bands. Without uPlot the footer says the charts are missing.
export function buildCharts(boxId, list, withBands, onSelect) {
  const box = $(boxId);
  box.textContent = '';
  list.length = 0;
  if (!haveUPlot) {
    $('charts-missing').hidden = false;
    return;
  }
  // Title, legend, padding and gaps take about 58 px of each track.
  const height = Math.max(90, Math.floor((box.clientHeight || 700) / TRACKS.length) - 58);
  TRACKS.forEach((track) => {
    const div = el('div', 'track');
    div.appendChild(el('div', 'track-title', track.title));
    const holder = el('div');
    div.appendChild(holder);
    box.appendChild(div);
    const chart = makeChart(holder, track, height, withBands, onSelect);
    list.push({ chart: chart, track: track, holder: holder });
  });
}

// Charts built while their view was hidden (a change of units) had no width to fit.
export function resizeCharts(list) {
  list.forEach((c) => {
    if (c.holder.clientWidth) c.chart.setSize({ width: chartWidth(c.holder), height: c.chart.height });
  });
}
