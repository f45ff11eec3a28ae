// Browser check of signing in (frontend/auth.js) against a rigstream-web
// started with WEB_READ_TOKEN and WEB_WRITE_TOKEN. Run by
// tests/integration/test_web_auth.py. Environment: RS_URL, RS_PROFILE,
// RS_READ, RS_WRITE (the tokens), RS_ALERT_ID (a published alert).
import { check, failed, launch } from './browser.mjs';

const url = process.env.RS_URL;
const alertId = process.env.RS_ALERT_ID;

const context = await launch(process.env.RS_PROFILE, { width: 1400, height: 900 });
const page = context.pages()[0] || await context.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));

async function signIn(token) {
  await page.waitForSelector('#auth-dialog[open]', { timeout: 5000 });
  await page.fill('#auth-token', token);
  await Promise.all([page.waitForEvent('load', { timeout: 10000 }), page.click('#auth-ok')]);
}

try {
  await page.goto(url, { waitUntil: 'load' });
  // Reading needs a token: the sign-in dialog opens by itself.
  await page.waitForSelector('#auth-dialog[open]', { timeout: 5000 });
  const first = await page.locator('#auth-msg').textContent();
  check(/Sign in/.test(first), `asks to sign in before reading: "${first}"`);
  await page.fill('#auth-token', 'not-the-token-at-all');
  await page.click('#auth-ok');
  await page.waitForFunction(() => /Wrong token/.test(document.getElementById('auth-status').textContent),
                             null, { timeout: 5000 });
  check(true, 'a wrong token is refused in the dialog');

  await signIn(process.env.RS_READ);
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 10000 });
  check(true, 'with the read token the live feed connects');
  check(/read only/.test(await page.locator('#auth-btn').textContent()), 'the header says: read only');

  // Acknowledging (live view) needs the write token: a clear message, and the dialog.
  const item = page.locator(`#alerts-active li[data-alert-id="${alertId}"]`);
  await item.waitFor({ timeout: 10000 });
  await item.locator('button.ack').click();
  await item.locator('form.alarm-form input[data-key="by"]').fill('Auth Tester');
  await item.locator('form.alarm-form button.confirm').click();
  await page.waitForSelector('#auth-dialog[open]', { timeout: 5000 });
  const msg = await page.locator('#auth-msg').textContent();
  check(/only read/.test(msg) && /write token/.test(msg), `the read token cannot acknowledge: "${msg}"`);
  check(await item.evaluate((e) => !e.classList.contains('acked')), 'the alert stays unacknowledged');

  await page.fill('#auth-token', process.env.RS_WRITE);
  await Promise.all([page.waitForEvent('load', { timeout: 10000 }), page.click('#auth-ok')]);
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 10000 });
  check(/read and write/.test(await page.locator('#auth-btn').textContent()), 'the header says: read and write');
  await item.waitFor({ timeout: 10000 });
  await item.locator('button.ack').click();
  await item.locator('form.alarm-form input[data-key="by"]').fill('Auth Tester');
  await item.locator('form.alarm-form button.confirm').click();
  await page.waitForSelector(`#alerts-active li[data-alert-id="${alertId}"].acked`, { timeout: 5000 });
  check(true, 'with the write token the alert is acknowledged');
  check(errors.length === 0, `no page errors (${errors.join('; ')})`);
} catch (e) {
  check(false, `browser test: ${e}`);
} finally {
  await context.close();
}
process.exit(failed() ? 1 : 0);
