/* rigstream dashboard: drilling channels against bit depth, on bottom only (the bit within 1 m of the hole
   bottom), one narrow track per channel with the depth going down: the analytics view's depth view and the live
   view's mud log. Drawn on a plain canvas. */
import { $ } from './dom.js';
import * as units from './units.js';

// A canvas sized to its box in device pixels (at least `min` CSS pixels each way); returns [ctx, width, height]
// in CSS pixels.
export function canvasOf(id, min) {
  const box = $(id), c = box.querySelector('canvas');
  const w = Math.max(min, box.clientWidth), h = Math.max(min, box.clientHeight), r = window.devicePixelRatio || 1;
  c.width = Math.round(w * r);
  c.height = Math.round(h * r);
  const ctx = c.getContext('2d');
  ctx.setTransform(r, 0, 0, r, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.font = '12px "DejaVu Sans", sans-serif';
  return [ctx, w, h];
}

export function extent(a) {
  let lo = Infinity, hi = -Infinity;
  a.forEach((v) => { if (v < lo) lo = v; if (v > hi) hi = v; });
  if (lo === hi) { lo -= 1; hi += 1; }
  return [lo, hi];
}

// Draws into #id (a box holding a canvas). n: the number of samples; get(name): a channel's values in the stored
// units, one per sample (bit_depth and hole_depth too); tracks: [[channel, colour, name]]. opts.min: the
// smallest canvas side, opts.left: the width of the depth labels, opts.empty: the text when nothing is on bottom,
// opts.font: the labels' font (else 12 px).
// Sets data-points on #id to the number of samples drawn.
export function drawDepthLog(id, n, get, tracks, opts) {
  const cv = canvasOf(id, opts.min), ctx = cv[0], W = cv[1], H = cv[2];
  if (opts.font) ctx.font = opts.font;
  const raw = get('bit_depth') || [], hole = get('hole_depth') || [];
  const bit = units.values(units.unitOf('bit_depth'), raw);
  const rows = [];
  for (let i = 0; i < n; i++)
    if (raw[i] !== null && hole[i] !== null && isFinite(raw[i]) && isFinite(hole[i]) && hole[i] - raw[i] < 1) rows.push(i);
  $(id).dataset.points = String(rows.length);
  const L = opts.left, T = 24, B = 10, gap = 6, tw = (W - L - gap * tracks.length) / tracks.length;
  ctx.fillStyle = '#8b949e';
  if (!rows.length) { ctx.fillText(opts.empty, 4, T + 20, W - 8); return; }
  rows.sort((a, b) => bit[a] - bit[b]);
  const ds = extent(rows.map((i) => bit[i]));
  const py = (d) => T + (d - ds[0]) / (ds[1] - ds[0]) * (H - T - B);
  const digits = ds[1] - ds[0] < 0.5 ? 3 : ds[1] - ds[0] < 5 ? 2 : 1;
  for (let k = 0; k <= 5; k++) {
    const d = ds[0] + (ds[1] - ds[0]) * k / 5;
    ctx.fillText(d.toFixed(digits), 2, py(d) + 4, L - 4);
  }
  ctx.fillText(units.shownUnit('bit_depth'), 2, T - 8);
  tracks.forEach((tr, j) => {
    const x0 = L + j * (tw + gap), vals = units.values(units.unitOf(tr[0]), get(tr[0]) || []);
    const good = rows.filter((i) => vals[i] !== null && vals[i] !== undefined && isFinite(vals[i]));
    ctx.strokeStyle = '#2a313c';
    ctx.strokeRect(x0, T, tw, H - T - B);
    ctx.fillStyle = tr[1];
    ctx.fillText(tr[2] + ' ' + units.shownUnit(tr[0]), x0 + 2, T - 8, tw - 4);
    if (!good.length) return;
    const xs = extent(good.map((i) => vals[i]));
    ctx.fillStyle = '#8b949e';
    ctx.fillText(units.fmt(xs[0]) + '-' + units.fmt(xs[1]), x0 + 2, H - B - 4, tw - 4);
    ctx.strokeStyle = tr[1];
    ctx.lineWidth = 1.2;
    ctx.beginPath();
    good.forEach((i, k) => {
      const x = x0 + (vals[i] - xs[0]) / (xs[1] - xs[0]) * tw, y = py(bit[i]);
      if (k) ctx.lineTo(x, y); else ctx.moveTo(x, y);
    });
    ctx.stroke();
  });
}
