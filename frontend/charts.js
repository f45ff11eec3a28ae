/* rigstream dashboard: the strip charts (uPlot, served from vendor/), for the live view and the history view.
   Six tracks, ROP first; each scale has its own axis, labelled with its unit in the operator's units; every
   track has the same axis widths on both sides, so the plot areas line up, and only the bottom track writes
   the time. */
import { $, el } from './dom.js';
import * as units from './units.js';

// [channel, colour, scale, short name]: series of one scale share an axis (left for the first scale, right for
// the second), labelled with the short name and the unit.
export const TRACKS = [
  { title: 'ROP', series: [['rop', '#7ee787', 'rop', 'ROP']] },
  { title: 'Hook load / WOB', series: [['hook_load', '#58a6ff', 'hook', 'Hook'], ['wob', '#f0883e', 'wob', 'WOB']] },
  { title: 'RPM / Torque', series: [['rpm', '#3fb950', 'rpm', 'RPM'], ['torque', '#d2a8ff', 'torque', 'Torque']] },
  { title: 'SPP / Flow in / Flow out', series: [['spp', '#ff7b72', 'bar', 'SPP'], ['flow_in', '#79c0ff', 'flow', 'Flow'],
                                                ['flow_out', '#56d364', 'flow', 'Flow']] },
  { title: 'Pit volume / Gas', series: [['pit_volume', '#e3b341', 'vol', 'Pit'], ['gas', '#a5d6ff', 'gas', 'Gas']] },
  { title: 'Pit gain', series: [['pit_gain', '#ff9bce', 'gain', 'Gain']] }
];
const AXIS_W = 64;                  // every y axis, so that the plot areas of all tracks line up
const TIME_H = 24;                  // the time labels under the bottom track
const TRACK_EXTRA = 29;             // a track's legend, border and gap around its plot

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

// The label of a y axis: its channels' labels and the unit they are shown in.
export function axisLabel(track, scale) {
  const first = track.series.filter((s) => s[2] === scale)[0];
  const unit = units.shownUnit(first[0]);
  return first[3] + (unit ? ' ' + unit : '');
}

function blank(u, vals) { return vals.map(() => ''); }

// onSelect(min, max): live charts only, a drag across the chart (in s). last: the bottom track, the only one
// that writes the time.
function makeChart(container, track, height, withBands, onSelect, last) {
  const series = [{}];
  const scales = { x: { time: true } };
  // One line of time labels (uPlot's default takes two), on the bottom track only; the others keep the grid.
  const axes = [{ stroke: '#8b949e', grid: { stroke: '#2a313c' }, ticks: { stroke: '#2a313c', size: last ? 6 : 0 },
                  size: last ? TIME_H : 2, values: last ? timeLabels : blank }];
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
                  ticks: { stroke: '#2a313c', size: 4 }, size: AXIS_W - 14, space: 15, gap: 2,
                  label: axisLabel(track, s[2]), labelSize: 14, labelGap: 0, labelFont: '10px sans-serif',
                  font: '10px sans-serif', values: (u, vals) => vals.map(units.fmt) });
    }
  });
  // A track with one scale gets an empty right axis as wide as the others'.
  if (Object.keys(seenScales).length === 1)
    axes.push({ scale: track.series[0][2], side: 1, size: AXIS_W, grid: { show: false }, ticks: { show: false },
                values: blank });
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
  const height = trackHeight(box);
  TRACKS.forEach((track, i) => {
    const div = el('div', 'track');
    div.dataset.track = track.series[0][0];
    div.title = track.title;
    const holder = el('div');
    div.appendChild(holder);
    box.appendChild(div);
    const last = i === TRACKS.length - 1;
    const chart = makeChart(holder, track, height + (last ? TIME_H : 0), withBands, onSelect, last);
    list.push({ chart: chart, track: track, holder: holder, last: last });
  });
}

// The chart height that fits all tracks into the box without scrolling (the bottom one adds its time labels).
function trackHeight(box) {
  const h = box.clientHeight || 700;
  return Math.max(40, Math.floor((h - TIME_H) / TRACKS.length) - TRACK_EXTRA);
}

// Charts fitted to their box again: after a resize of the window, or when built while their view was hidden
// (a change of units) and had no size to fit.
export function resizeCharts(list) {
  if (!list.length) return;
  const box = list[0].holder.parentNode.parentNode;
  if (!box.clientHeight) return;
  const height = trackHeight(box);
  list.forEach((c) => {
    if (c.holder.clientWidth)
      c.chart.setSize({ width: chartWidth(c.holder), height: height + (c.last ? TIME_H : 0) });
  });
}
