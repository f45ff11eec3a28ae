// Dashboard timings in Debian's headless chromium (playwright-core): time to
// first render, 24 h of history in the History and Analytics views, and frame
// times while streaming. Run by bench_dashboard.py; env RS_URL, RS_WELL.
import { chromium } from 'playwright-core';

const url = process.env.RS_URL;
const well = process.env.RS_WELL;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
// Every animation-frame callback's duration: the page's own work per frame.
await page.addInitScript(() => {
  window.rsFrames = { work: [], at: [] };
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (cb) => raf((t) => {
    const t0 = performance.now();
    cb(t);
    window.rsFrames.work.push(performance.now() - t0);
  });
  const tick = (t) => { window.rsFrames.at.push(t); raf(tick); };
  raf(tick);
});
const fmt = (x) => x.toFixed(1).padStart(7);
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))] : NaN; };

await page.goto(url, { waitUntil: 'load' });
await page.waitForFunction(() => {
  const v = document.querySelector('.readout[data-channel="hook_load"] .value');
  return v && v.textContent !== '-' && document.querySelector('.uplot');
}, null, { timeout: 20000, polling: 'raf' });
const nav = await page.evaluate(() => {
  const n = performance.getEntriesByType('navigation')[0];
  return { dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, first: performance.now() };
});
console.log(`time to first render (live values and charts): ${fmt(nav.first)} ms  ` +
            `(DOMContentLoaded ${nav.dcl.toFixed(1)} ms, load ${nav.load.toFixed(1)} ms)`);
await page.selectOption('#well', well);

// Opening the view loads the selected range; the time is from the click to the painted charts.
async function timed(view, form, status, range) {
  await page.keyboard.press('1');
  const ms = await page.evaluate(async ([view, form, status, range]) => {
    document.getElementById(`${form}-range`).value = range;
    document.getElementById(status).textContent = '';
    const t0 = performance.now();
    document.getElementById(`tab-${view}`).click();
    while (!/points from|failed/.test(document.getElementById(status).textContent))
      await new Promise((r) => requestAnimationFrame(r));
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));   // painted
    return [performance.now() - t0, document.getElementById(status).textContent];
  }, [view, form, status, range]);
  console.log(`${view} view, last 24 h of ${well}: ${fmt(ms[0])} ms to render  (${ms[1]})`);
}
await timed('history', 'history', 'history-status', '86400');
await timed('history', 'history', 'history-status', '86400');
await timed('analytics', 'analytics', 'analytics-status', '86400');
await timed('analytics', 'analytics', 'analytics-status', '86400');

for (const [view, key] of [['live', '1'], ['analytics', '3']]) {
  await page.keyboard.press(key);
  if (view === 'live') await page.selectOption('#window', '1800');
  await page.waitForTimeout(1000);
  await page.evaluate(() => { window.rsFrames.work.length = 0; window.rsFrames.at.length = 0; });
  await page.waitForTimeout(10000);
  const f = await page.evaluate(() => window.rsFrames);
  const gaps = f.at.slice(1).map((t, i) => t - f.at[i]);
  console.log(`frames while streaming, ${view} view (10 s): ${gaps.length} frames, interval p50 ${fmt(pct(gaps, 50))} ms ` +
              `p99 ${fmt(pct(gaps, 99))} ms max ${fmt(Math.max(...gaps))} ms; page work per redraw p50 ` +
              `${fmt(pct(f.work, 50))} ms p99 ${fmt(pct(f.work, 99))} ms max ${fmt(Math.max(0, ...f.work))} ms ` +
              `(${f.work.length} redraws)`);
}
await browser.close();
