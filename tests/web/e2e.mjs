// End-to-end check of the dashboard in Debian's headless chromium, driven by
// playwright-core (no browser download). Run by tests/integration/test_web_e2e.py,
// which starts the suite and answers the STOP-WEB / START-WEB lines below.
// Environment: RS_URL (the dashboard), RS_SHOTS (screenshot directory),
// RS_PROFILE (a fresh user-data-dir), RS_ALERT_ID (an alert published for the test).
import { chromium } from 'playwright-core';
import { createInterface } from 'node:readline';

const url = process.env.RS_URL;
const shots = process.env.RS_SHOTS;
const alertId = process.env.RS_ALERT_ID;
let failures = 0;

function check(cond, what) {
  console.log(`${cond ? 'ok' : 'FAIL'}: ${what}`);
  if (!cond) failures++;
}

const stdin = createInterface({ input: process.stdin });
const lines = stdin[Symbol.asyncIterator]();
async function ask(cmd) {
  console.log(cmd);
  const { value } = await lines.next();
  return value;
}

function localHost(u) {
  try {
    const p = new URL(u);
    if (p.protocol === 'data:' || p.protocol === 'blob:' || p.protocol === 'about:') return true;
    return ['127.0.0.1', 'localhost', '[::1]'].includes(p.hostname);
  } catch (e) {
    return false;
  }
}

async function readout(page, channel) {
  return page.locator(`.readout[data-channel="${channel}"] .value`).textContent();
}

// Waits until the readout shows a number different from `before`; returns [value, ms].
async function movedFrom(page, channel, before, timeoutMs) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const v = await readout(page, channel);
    if (v !== '-' && v !== before) return [v, Date.now() - t0];
    await page.waitForTimeout(50);
  }
  return [null, Date.now() - t0];
}

const context = await chromium.launchPersistentContext(process.env.RS_PROFILE, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1600, height: 1000 },
});
const requests = [];
context.on('request', (r) => requests.push(r.url()));
const page = context.pages()[0] || await context.newPage();
const sockets = [];
page.on('websocket', (ws) => sockets.push(ws.url()));
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));

try {
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 10000 });
  check(true, 'connection indicator shows live');
  await page.waitForFunction(() => {
    const v = document.querySelector('.readout[data-channel="hook_load"] .value');
    return v && v.textContent !== '-';
  }, null, { timeout: 5000 });
  const unit = await page.locator('.readout[data-channel="hook_load"] .unit').textContent();
  check(unit === 'kN', `hook load readout has its unit (${unit})`);
  const first = await readout(page, 'hook_load');
  const [moved, ms] = await movedFrom(page, 'hook_load', first, 2000);
  check(moved !== null, `live hook load moved within 2 s: ${first} -> ${moved} in ${ms} ms`);
  const charts = await page.locator('.uplot').count();
  check(charts === 6, `six chart tracks (${charts})`);
  const legend = await page.locator('.uplot').first().locator('.u-legend').textContent();
  check(/Hook load/.test(legend) && /WOB/.test(legend), 'first track is hook load / WOB');
  await page.waitForFunction(() => /drilling|connection|tripping|circulating|reaming/.test(
    document.getElementById('rigstate').textContent), null, { timeout: 5000 });
  check(true, `rig state badge: ${await page.locator('#rigstate').textContent()}`);
  const wells = await page.locator('#well option').allTextContents();
  check(wells.length === 2 && wells.includes('A-01') && wells.includes('A-02'), `well selector: ${wells}`);

  // The alert the test published, and its acknowledgement.
  const item = page.locator(`#alerts-active li[data-alert-id="${alertId}"]`);
  await item.waitFor({ timeout: 5000 });
  check(/Pit gain/.test(await item.textContent()), 'the published alert is listed');
  await page.screenshot({ path: `${shots}/dashboard.png` });
  await item.locator('button.ack').click();
  await page.waitForSelector(`#alerts-active li[data-alert-id="${alertId}"].acked`, { timeout: 5000 });
  const api = await page.evaluate(async () => (await fetch('api/alerts')).json());
  check(api.active.some((a) => String(a.alert_id) === alertId && a.acked), 'acknowledged through the API');

  // Another well; pause freezes the charts.
  await page.selectOption('#well', 'A-02');
  const [v2] = await movedFrom(page, 'spp', '', 3000);
  check(v2 !== null, `A-02 selected: SPP ${v2}`);
  await page.click('#pause');
  check(await page.locator('#pause').getAttribute('aria-pressed') === 'true', 'pause toggles');
  await page.click('#pause');

  // The bridge goes away and comes back: the page reconnects by itself.
  await ask('STOP-WEB');
  await page.waitForSelector('#conn[data-state="offline"]', { timeout: 10000 });
  check(true, `bridge stopped: indicator says "${await page.locator('#conn').textContent()}"`);
  await ask('START-WEB');
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 20000 });
  const before = await readout(page, 'hook_load');
  const [after, ms2] = await movedFrom(page, 'hook_load', before, 3000);
  check(after !== null, `reconnected by itself; values move again (${ms2} ms)`);

  // History view (from the saver's database).
  await page.click('#tab-history');
  await page.waitForFunction(() => /points from/.test(document.getElementById('history-status').textContent),
    null, { timeout: 10000 });
  check(true, `history view: ${await page.locator('#history-status').textContent()}`);
  await page.screenshot({ path: `${shots}/history.png` });
  await page.click('#tab-live');
  await page.waitForTimeout(1000);
  await page.screenshot({ path: `${shots}/dashboard-live.png` });
} catch (e) {
  check(false, `unexpected: ${e.message}`);
  await page.screenshot({ path: `${shots}/failure.png` }).catch(() => {});
}

const foreign = requests.concat(sockets).filter((u) => !localHost(u));
check(requests.length > 0 && foreign.length === 0,
  `${requests.length} requests and ${sockets.length} WebSockets, none off this machine ${foreign.join(' ')}`);
check(errors.length === 0, `no script errors on the page ${errors.join('; ')}`);
await context.close();
console.log(failures ? `e2e: ${failures} check(s) failed` : 'e2e: all checks passed');
process.exit(failures ? 1 : 0);
